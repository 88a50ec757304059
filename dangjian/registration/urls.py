from django.urls import path

from . import views

app_name = "registration"
urlpatterns = [
    path("", views.home, name="home"),
    path("desk/", views.desk, name="desk"),
    path("desk/export/", views.desk_export, name="desk_export"),
    path("summary/", views.summary, name="summary"),
    path("summary/export/", views.summary_export, name="summary_export"),
    path("mine/", views.mine, name="mine"),
    path("mine/<uuid:public_id>/withdraw/", views.mine_withdraw, name="mine_withdraw"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/mobile/", views.reveal_mobile, name="reveal_mobile"),
    path("<uuid:public_id>/<str:step>/", views.decide, name="decide"),
    path("community/<uuid:public_id>/", views.community, name="community"),
    path("community/<uuid:public_id>/link/", views.link_generate, name="link_generate"),
    path("community/<uuid:public_id>/qr.svg", views.link_qr, name="link_qr"),
    path("community/<uuid:public_id>/unregistered/", views.unregistered, name="unregistered"),
    path("community/<uuid:public_id>/lists/", views.five_lists, name="five_lists"),
    path("community/<uuid:public_id>/documents/new/", views.document_create, name="document_create"),
    path("community/<uuid:public_id>/documents/export/", views.documents_export, name="documents_export"),
    path("documents/<uuid:public_id>/edit/", views.document_edit, name="document_edit"),
    path("documents/<uuid:public_id>/delete/", views.document_delete, name="document_delete"),
    # Public self-service pages behind the community's QR code: no account needed.
    path("r/<str:token>/", views.public_start, name="public_start"),
    path("r/<str:token>/member/", views.public_member, name="public_member"),
    path("r/<str:token>/unit/", views.public_unit, name="public_unit"),
    path("r/<str:token>/status/", views.public_lookup, name="public_lookup"),
    path("r/<str:token>/account/", views.public_account, name="public_account"),
    path("receipt/<str:signed>/", views.receipt, name="receipt"),
]
