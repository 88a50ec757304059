from django.urls import path

from . import more_exports, views

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
    path("export/members/", views.export_members, name="export_members"),
    path("export/residents/", views.export_residents, name="export_residents"),
    path("export/units/", views.export_units, name="export_units"),
    path("export/audit/", views.export_audit, name="export_audit"),
    path("export/territory/", views.export_territory, name="export_territory"),
    path("export/floating/", more_exports.export_floating, name="export_floating"),
    path("export/liaisons/", more_exports.export_liaisons, name="export_liaisons"),
    path("export/adjuncts/", more_exports.export_adjuncts, name="export_adjuncts"),
    path("export/alliances/", more_exports.export_alliances, name="export_alliances"),
    path("export/unregistered/<uuid:public_id>/", more_exports.export_unregistered, name="export_unregistered"),
]
