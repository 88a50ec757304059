from django.urls import include, path

from .views import accounts, liaisons, members, residents

app_name = "people"
urlpatterns = [
    # members
    path("members/", members.member_list, name="member_list"),
    path("members/new/", members.member_create, name="member_create"),
    path("members/home-fields/", members.member_home_fields, name="member_home_fields"),
    path("members/floating/", members.member_floating, name="member_floating"),
    path("members/transfers/", members.transfer_list, name="transfer_list"),
    path("members/transfers/export/", members.transfer_export, name="transfer_export"),
    path("members/accounts/search/", accounts.account_search, name="account_search"),
    path("members/<uuid:public_id>/", members.member_detail, name="member_detail"),
    path("members/<uuid:public_id>/edit/", members.member_edit, name="member_edit"),
    path("members/<uuid:public_id>/transfer/", members.member_transfer, name="member_transfer"),
    path("members/<uuid:public_id>/status/", members.member_status, name="member_status"),
    path("members/<uuid:public_id>/restore/", members.member_restore, name="member_restore"),
    path("members/<uuid:public_id>/reveal/<str:field>/", members.member_reveal, name="member_reveal"),
    path("members/<uuid:public_id>/account/", accounts.member_account, name="member_account"),
    path("members/<uuid:public_id>/account/link/", accounts.member_account_link, name="member_account_link"),
    path("members/<uuid:public_id>/account/new/", accounts.member_account_create, name="member_account_create"),
    path("members/<uuid:public_id>/account/unlink/", accounts.member_account_unlink, name="member_account_unlink"),
    path("members/<uuid:public_id>/account/cancel/", accounts.member_account_cancel, name="member_account_cancel"),
    path("account-requests/", accounts.account_requests, name="account_requests"),
    path(
        "account-requests/<uuid:public_id>/<str:answer>/",
        accounts.account_request_answer,
        name="account_request_answer",
    ),
    path("me/", members.my_member, name="my_member"),
    # the household register
    path("residents/", residents.resident_home, name="resident_home"),
    path("residents/buildings/<uuid:public_id>/", residents.building_households, name="building_households"),
    path("residents/buildings/<uuid:public_id>/households/", residents.household_create, name="household_create"),
    path("residents/households/<uuid:public_id>/remove/", residents.household_remove, name="household_remove"),
    path("residents/households/<uuid:public_id>/add/", residents.resident_create, name="resident_create"),
    path("residents/<uuid:public_id>/edit/", residents.resident_edit, name="resident_edit"),
    path("residents/<uuid:public_id>/remove/", residents.resident_remove, name="resident_remove"),
    path("residents/<uuid:public_id>/reveal/", residents.resident_reveal, name="resident_reveal"),
    # liaisons
    path("liaisons/", liaisons.liaison_list, name="liaison_list"),
    path("liaisons/new/", liaisons.liaison_create, name="liaison_create"),
    path("liaisons/<uuid:public_id>/end/", liaisons.liaison_end, name="liaison_end"),
    path("liaisons/<uuid:public_id>/account/", liaisons.liaison_account, name="liaison_account"),
    path("signup/", include("dangjian.people.signup.urls")),
]
