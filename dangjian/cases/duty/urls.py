from django.urls import path

from . import views

urlpatterns = [
    path("duty/", views.duty_list, name="duty_list"),
    path("duty/new/", views.duty_create, name="duty_create"),
    path("duty/export/", views.duty_export, name="duty_export"),
    path("duty/import/", views.duty_import, name="duty_import"),
    path("duty/template/", views.duty_template, name="duty_template"),
    path("duty/<uuid:public_id>/edit/", views.duty_edit, name="duty_edit"),
    path("duty/<uuid:public_id>/delete/", views.duty_delete, name="duty_delete"),
    path("calendar/", views.calendar, name="calendar"),
]
