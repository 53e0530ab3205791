from django.urls import path

from datasets import views

app_name = "datasets"
urlpatterns = [
    path("", views.dataset_list, name="list"),
    path("images/<int:pk>/", views.image_file, name="image-file"),
    path("images/<int:pk>/thumbnail/", views.image_thumbnail, name="image-thumbnail"),
    path("<slug:slug>/", views.dataset_detail, name="detail"),
]
