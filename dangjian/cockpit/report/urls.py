from django.urls import path

from . import views

# Included from cockpit/urls.py under report/ (names in the cockpit namespace).
urlpatterns = [
    path("", views.report_list, name="reports"),
    path("generate/", views.report_generate, name="report_generate"),
    path("template/", views.template_edit, name="report_template"),
    path("template/docx/", views.template_download, name="report_template_docx"),
    path("template/upload/", views.template_upload, name="report_template_upload"),
    path("template/reset/", views.template_reset, name="report_template_reset"),
    path("<uuid:public_id>/progress/", views.report_progress, name="report_progress"),
    path("<uuid:public_id>/<str:kind>/", views.report_download, name="report_download"),
]
