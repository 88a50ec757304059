from django.urls import path

from . import views, weak_views

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/children/", views.children, name="children"),
]

# 软弱涣散基层党组织整顿 (weak organizations)
urlpatterns += [
    path("weak/", weak_views.weak_list, name="weak_list"),
    path("weak/export/", weak_views.weak_export, name="weak_export"),
    path("weak/flag/", weak_views.weak_flag, name="weak_flag"),
    path("weak/<uuid:public_id>/", weak_views.weak_detail, name="weak_detail"),
    path("weak/<uuid:public_id>/act/<slug:action>/", weak_views.weak_transition, name="weak_transition"),
    path("weak/<uuid:public_id>/steps/add/", weak_views.weak_step_add, name="weak_step_add"),
    path("weak/<uuid:public_id>/notes/add/", weak_views.weak_note_add, name="weak_note_add"),
    path("weak/steps/<uuid:public_id>/edit/", weak_views.weak_step_edit, name="weak_step_edit"),
    path("weak/steps/<uuid:public_id>/done/", weak_views.weak_step_done, name="weak_step_done"),
    path("weak/steps/<uuid:public_id>/delete/", weak_views.weak_step_delete, name="weak_step_delete"),
]
