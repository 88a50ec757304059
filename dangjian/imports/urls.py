from django.urls import path

from . import registry, views

app_name = "imports"
urlpatterns = [
    path("", views.home, name="home"),
    path("upload/", views.upload, name="upload"),
    path("template/<str:kind>/", views.template_download, name="template"),
    path("<uuid:public_id>/", views.job_detail, name="job"),
    path("<uuid:public_id>/progress/", views.job_progress, name="progress"),
    path("<uuid:public_id>/confirm/", views.job_confirm, name="confirm"),
    path("<uuid:public_id>/recheck/", views.job_recheck, name="recheck"),
    path("<uuid:public_id>/cancel/", views.job_cancel, name="cancel"),
    path("<uuid:public_id>/errors.xlsx", views.job_error_report, name="error_report"),
    # Each app's exports (its exports.py registers them): export/members/, export/units/ ...
    *registry.export_urls(),
]
