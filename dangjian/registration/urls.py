from django.urls import path

from .views import community, desk, members, mine, public

app_name = "registration"
urlpatterns = [
    path("", desk.home, name="home"),
    path("desk/", desk.desk, name="desk"),
    path("desk/export/", desk.desk_export, name="desk_export"),
    path("summary/", desk.summary, name="summary"),
    path("members/", members.members, name="members"),
    path("summary/export/", desk.summary_export, name="summary_export"),
    path("mine/", mine.mine, name="mine"),
    path("mine/<uuid:public_id>/withdraw/", mine.mine_withdraw, name="mine_withdraw"),
    path("<uuid:public_id>/", desk.detail, name="detail"),
    path("<uuid:public_id>/mobile/", desk.reveal_mobile, name="reveal_mobile"),
    path("<uuid:public_id>/<str:step>/", desk.decide, name="decide"),
    path("community/<uuid:public_id>/", community.community, name="community"),
    path("community/<uuid:public_id>/link/", community.link_generate, name="link_generate"),
    path("community/<uuid:public_id>/qr.svg", community.link_qr, name="link_qr"),
    path("community/<uuid:public_id>/unregistered/", community.unregistered, name="unregistered"),
    path("community/<uuid:public_id>/lists/", community.five_lists, name="five_lists"),
    path("community/<uuid:public_id>/documents/new/", community.document_create, name="document_create"),
    path("community/<uuid:public_id>/documents/export/", desk.documents_export, name="documents_export"),
    path("documents/<uuid:public_id>/edit/", community.document_edit, name="document_edit"),
    path("documents/<uuid:public_id>/delete/", community.document_delete, name="document_delete"),
    # Public self-service pages behind the community's QR code: no account needed.
    path("r/<str:token>/", public.public_start, name="public_start"),
    path("r/<str:token>/member/", public.public_member, name="public_member"),
    path("r/<str:token>/unit/", public.public_unit, name="public_unit"),
    path("r/<str:token>/status/", public.public_lookup, name="public_lookup"),
    path("r/<str:token>/account/", public.public_account, name="public_account"),
    path("receipt/<str:signed>/", public.receipt, name="receipt"),
]
