from django.urls import path

from . import views

urlpatterns = [
    path("new/", views.demand_new, name="new"),
    path("new/place-fields/", views.demand_place_fields, name="place_fields"),
    path("mine/", views.demand_mine, name="mine"),
    path("desk/", views.demand_desk, name="desk"),
    path("board/", views.demand_board, name="board"),
    path("board/<uuid:public_id>/claim/", views.demand_claim, name="claim"),
    path("tasks/", views.demand_tasks, name="tasks"),
    path("<uuid:public_id>/", views.demand_detail, name="detail"),
    path("<uuid:public_id>/step/<slug:step>/", views.demand_step, name="step"),
    path("<uuid:public_id>/reveal-phone/", views.reveal_phone, name="reveal_phone"),
    path("photos/<uuid:public_id>/", views.photo, name="photo"),
]
