from django.urls import path

from . import figures, views

app_name = "dues"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("pay/", views.mine_pay, name="mine_pay"),
    path("base/", views.mine_base, name="mine_base"),
    path("base/<uuid:public_id>/reveal/", views.base_reveal, name="base_reveal"),
    path("branches/", views.branches, name="branches"),
    path("branches/<uuid:public_id>/", views.sheet, name="sheet"),
    path("branches/<uuid:public_id>/run/", views.sheet_run, name="sheet_run"),
    path("branches/<uuid:public_id>/collect/", views.sheet_collect, name="sheet_collect"),
    path("branches/<uuid:public_id>/remit/", views.remit, name="remit"),
    path("branches/<uuid:public_id>/pdf/", views.sheet_pdf, name="sheet_pdf"),
    path("branches/<uuid:public_id>/dues/<uuid:dues_id>/", views.sheet_pay, name="sheet_pay"),
    path("branches/<uuid:public_id>/members/<uuid:member_id>/base/", views.branch_base, name="branch_base"),
    path("figures/", figures.figures_page, name="figures"),
    path("months/", views.months, name="months"),
]
