from django.urls import path

from . import figures, views

app_name = "recruitment"
urlpatterns = [
    path("", views.board, name="board"),
    path("new/", views.new, name="new"),
    path("figures/", figures.figures, name="figures"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/record.pdf", views.record_pdf, name="record_pdf"),
    path("<uuid:public_id>/documents/", views.document_add, name="document_add"),
    path("<uuid:public_id>/<slug:step>/", views.act, name="act"),
]
