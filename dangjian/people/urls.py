from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    # members
    path("members/", views.member_list, name="member_list"),
    path("members/new/", views.member_create, name="member_create"),
    path("members/home-fields/", views.member_home_fields, name="member_home_fields"),
    path("members/floating/", views.member_floating, name="member_floating"),
    path("members/transfers/", views.transfer_list, name="transfer_list"),
    path("members/transfers/export/", views.transfer_export, name="transfer_export"),
    path("members/accounts/search/", views.account_search, name="account_search"),
    path("members/<uuid:public_id>/", views.member_detail, name="member_detail"),
    path("members/<uuid:public_id>/edit/", views.member_edit, name="member_edit"),
    path("members/<uuid:public_id>/transfer/", views.member_transfer, name="member_transfer"),
    path("members/<uuid:public_id>/status/", views.member_status, name="member_status"),
    path("members/<uuid:public_id>/restore/", views.member_restore, name="member_restore"),
    path("members/<uuid:public_id>/reveal/<str:field>/", views.member_reveal, name="member_reveal"),
    path("members/<uuid:public_id>/account/", views.member_account, name="member_account"),
    path("members/<uuid:public_id>/account/link/", views.member_account_link, name="member_account_link"),
    path("members/<uuid:public_id>/account/new/", views.member_account_create, name="member_account_create"),
    path("members/<uuid:public_id>/account/unlink/", views.member_account_unlink, name="member_account_unlink"),
    path("members/<uuid:public_id>/account/cancel/", views.member_account_cancel, name="member_account_cancel"),
    path("account-requests/", views.account_requests, name="account_requests"),
    path(
        "account-requests/<uuid:public_id>/<str:answer>/",
        views.account_request_answer,
        name="account_request_answer",
    ),
    path("me/", views.my_member, name="my_member"),
    # the household register
    path("residents/", views.resident_home, name="resident_home"),
    path("residents/buildings/<uuid:public_id>/", views.building_households, name="building_households"),
    path("residents/buildings/<uuid:public_id>/households/", views.household_create, name="household_create"),
    path("residents/households/<uuid:public_id>/remove/", views.household_remove, name="household_remove"),
    path("residents/households/<uuid:public_id>/add/", views.resident_create, name="resident_create"),
    path("residents/<uuid:public_id>/edit/", views.resident_edit, name="resident_edit"),
    path("residents/<uuid:public_id>/remove/", views.resident_remove, name="resident_remove"),
    path("residents/<uuid:public_id>/reveal/", views.resident_reveal, name="resident_reveal"),
    # liaisons
    path("liaisons/", views.liaison_list, name="liaison_list"),
    path("liaisons/new/", views.liaison_create, name="liaison_create"),
    path("liaisons/<uuid:public_id>/end/", views.liaison_end, name="liaison_end"),
    path("liaisons/<uuid:public_id>/account/", views.liaison_account, name="liaison_account"),
]
