"""Root URLs. Media is not routed here on purpose: files are served by permission-checked views."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from datasets.oai.views import endpoint as oai_endpoint
from portal import health, views

urlpatterns = [
    path("", views.home, name="home"),
    path("datasets/", include("datasets.urls")),
    path("", include("generation.urls")),
    path("accounts/signup/", views.signup, name="signup"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/token/", views.create_token, name="create-token"),
    path("accounts/token/revoke/", views.revoke_token, name="revoke-token"),
    path("api/", include("portal.api.urls")),
    path("admin/", admin.site.urls),
    path("oai/", oai_endpoint, name="oai"),
    path("healthz", health.healthz, name="healthz"),
]
