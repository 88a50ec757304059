from django.urls import path

from . import views

urlpatterns = [
    path("desk/", views.case_list, name="list"),
    path("desk/filter/<slug:field>/", views.case_list_filter, name="list_filter"),
    path("<uuid:public_id>/", views.case_detail, name="detail"),
    path("<uuid:public_id>/step/<slug:step>/", views.case_step, name="step"),
    path("<uuid:public_id>/reveal-phone/", views.reveal_phone, name="reveal_phone"),
    path("claim/", views.claim_board, name="claim_board"),
    path("claim/<uuid:public_id>/", views.claim, name="claim"),
]
