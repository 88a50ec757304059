from django.urls import path

from . import figures, views

app_name = "notices"
urlpatterns = [
    path("", views.notice_list, name="list"),
    path("new/", views.notice_new, name="new"),
    path("figures/", figures.figures_page, name="figures"),
    path("mine/", views.mine, name="mine"),
    path("mine/<uuid:public_id>/", views.read, name="read"),
    path("mine/<uuid:public_id>/sign/", views.sign, name="sign"),
    path("public/<uuid:public_id>/", views.public_detail, name="public"),
    path("<uuid:public_id>/", views.notice_detail, name="detail"),
    path("<uuid:public_id>/progress/", views.notice_progress, name="progress"),
    path("<uuid:public_id>/publish/", views.notice_publish, name="publish"),
    path("<uuid:public_id>/withdraw/", views.notice_withdraw, name="withdraw"),
    path("<uuid:public_id>/remind/", views.notice_remind, name="remind"),
    path("<uuid:public_id>/unsigned.xlsx", views.notice_export, name="export"),
    path("<uuid:public_id>/files/<uuid:file_id>/", views.attachment, name="attachment"),
]
