from django.urls import path

from . import figures, views

app_name = "funds"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("figures/", figures.figures_page, name="figures"),
    path("area/<uuid:public_id>/", views.area_page, name="area"),
    path("area/<uuid:public_id>/statement.pdf", views.area_pdf, name="area_pdf"),
    path("journals/", views.journals, name="journals"),
    path("floors/", views.floors, name="floors"),
    path("allocations/", views.allocations, name="allocations"),
    path("allocations/new/", views.allocation_new, name="allocation_new"),
    path("allocations/<uuid:public_id>/", views.allocation, name="allocation"),
    path("allocations/<uuid:public_id>/<str:step>/", views.allocation_step, name="allocation_step"),
    path("commitments/<uuid:public_id>/pay/", views.pay, name="pay"),
    path("journals/<uuid:public_id>/voucher/", views.voucher, name="voucher"),
    path("settings/", views.kinds_settings, name="settings"),
    path("settings/bases/", views.bases, name="bases"),
    path("settings/<uuid:public_id>/", views.kind_edit, name="kind_edit"),
]
