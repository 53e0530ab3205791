from django.urls import path

from generation import views

app_name = "generation"
urlpatterns = [
    path("runs/new/<int:version_id>/", views.run_start, name="run-start"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/progress.json", views.run_progress, name="run-progress"),
    path("runs/<int:pk>/charts/<slug:chart>.svg", views.run_chart, name="run-chart"),
    path("runs/<int:pk>/charts/<slug:chart>.html", views.run_chart_figure, name="run-chart-figure"),
    path("runs/<int:pk>/samples/<int:iteration>.png", views.run_samples, name="run-samples"),
    path("runs/<int:pk>/cancel/", views.run_cancel, name="run-cancel"),
    path("models/<int:pk>/", views.model_detail, name="model"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/progress.json", views.job_progress, name="job-progress"),
    path("jobs/<int:pk>/cancel/", views.job_cancel, name="job-cancel"),
    path("quality/<int:pk>/progress.json", views.quality_progress, name="quality-progress"),
    path("quality/override/<int:version_id>/", views.quality_override, name="quality-override"),
    path("quality/compare/", views.quality_compare, name="quality-compare"),
]
