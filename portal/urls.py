"""Root URLs. Media is not routed here on purpose: files are served by permission-checked views."""

from django.contrib import admin
from django.urls import include, path

from portal import views

urlpatterns = [
    path("", views.home, name="home"),
    path("datasets/", include("datasets.urls")),
    path("admin/", admin.site.urls),
]
