"""软弱涣散基层党组织整顿 (weak organizations): included in orgs/urls.py, so the names stay `orgs:weak_*`."""

from django.urls import path

from . import views

urlpatterns = [
    path("weak/", views.weak_list, name="weak_list"),
    path("weak/export/", views.weak_export, name="weak_export"),
    path("weak/flag/", views.weak_flag, name="weak_flag"),
    path("weak/<uuid:public_id>/", views.weak_detail, name="weak_detail"),
    path("weak/<uuid:public_id>/act/<slug:action>/", views.weak_transition, name="weak_transition"),
    path("weak/<uuid:public_id>/steps/add/", views.weak_step_add, name="weak_step_add"),
    path("weak/<uuid:public_id>/notes/add/", views.weak_note_add, name="weak_note_add"),
    path("weak/steps/<uuid:public_id>/edit/", views.weak_step_edit, name="weak_step_edit"),
    path("weak/steps/<uuid:public_id>/done/", views.weak_step_done, name="weak_step_done"),
    path("weak/steps/<uuid:public_id>/delete/", views.weak_step_delete, name="weak_step_delete"),
]
