from django.urls import path

from datasets.views import access, browse, curation, files

app_name = "datasets"
urlpatterns = [
    path("", browse.dataset_list, name="list"),
    path("new/", curation.upload, name="upload"),
    path("images/<int:pk>/", files.image_file, name="image-file"),
    path("images/<int:pk>/thumbnail/", files.image_thumbnail, name="image-thumbnail"),
    path("access-requests/<int:pk>/", access.decide, name="decide-access"),
    path("<slug:slug>/", browse.dataset_detail, name="detail"),
    path("<slug:slug>/access/", access.request_access, name="request-access"),
    path("<slug:slug>/new-version/", curation.new_version, name="new-version"),
    path("<slug:slug>/collaborators/", curation.collaborators, name="collaborators"),
    path("<slug:slug>/visibility/", curation.visibility, name="visibility"),
    path(
        "<slug:slug>/collaborators/<int:user_id>/remove/",
        curation.remove_collaborator,
        name="remove-collaborator",
    ),
    path("<slug:slug>/v<int:number>/", browse.dataset_detail, name="version"),
    path("<slug:slug>/v<int:number>/download/", files.download, name="download"),
    path("<slug:slug>/v<int:number>/edit/", curation.edit, name="edit"),
    path("<slug:slug>/v<int:number>/publish/", curation.publish, name="publish"),
    path("<slug:slug>/v<int:number>/related/", curation.related, name="related"),
    path(
        "<slug:slug>/v<int:number>/related/<str:kind>/<int:pk>/remove/",
        curation.remove_reference,
        name="remove-reference",
    ),
]
