from django.urls import path

from . import views

app_name = "units"
urlpatterns = [
    path("", views.unit_list, name="list"),
    path("new/", views.unit_create, name="create"),
    path("<uuid:public_id>/", views.unit_detail, name="detail"),
    path("<uuid:public_id>/edit/", views.unit_edit, name="edit"),
    path("<uuid:public_id>/formation/", views.unit_formation, name="formation"),
    path("coverage/", views.coverage_home, name="coverage"),
    path("coverage/rule/", views.coverage_rule, name="coverage_rule"),
    path("coverage/blank-spots/export/", views.coverage_blank_export, name="coverage_blank_export"),
    path("coverage/area/<uuid:public_id>/", views.coverage_area, name="coverage_area"),
    path("coverage/org/<uuid:public_id>/", views.coverage_org, name="coverage_org"),
    path("committees/", views.committee_list, name="committee_list"),
    path("committees/<uuid:public_id>/", views.committee_adjuncts, name="committee_adjuncts"),
    path("adjuncts/<uuid:public_id>/end/", views.adjunct_end, name="adjunct_end"),
    path("alliances/", views.alliance_list, name="alliance_list"),
    path("alliances/new/", views.alliance_create, name="alliance_create"),
    path("alliances/<uuid:public_id>/", views.alliance_detail, name="alliance_detail"),
    path(
        "alliances/<uuid:public_id>/members/<uuid:unit_id>/remove/",
        views.alliance_remove_unit,
        name="alliance_remove_unit",
    ),
]
