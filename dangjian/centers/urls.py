from django.urls import path

from . import views

app_name = "centers"
urlpatterns = [
    path("", views.center_list, name="list"),
    path("new/", views.center_create, name="create"),
    path("circle/", views.circle, name="circle"),
    path("circle/data.geojson", views.circle_data, name="circle_data"),
    path("circle/plan/", views.circle_plan, name="circle_plan"),
    path("circle/settings/", views.circle_settings, name="circle_settings"),
    path("bookings/", views.my_bookings, name="my_bookings"),
    path("bookings/approvals/", views.approvals, name="approvals"),
    path("bookings/<uuid:public_id>/", views.booking_detail, name="booking_detail"),
    path("bookings/<uuid:public_id>/<slug:action>/", views.booking_action, name="booking_action"),
    path("rooms/<uuid:room_id>/book/", views.book, name="book"),
    path("activities/", views.activity_list, name="activity_list"),
    path("activities/<uuid:public_id>/", views.activity_detail, name="activity_detail"),
    path("activities/<uuid:public_id>/signup/", views.signup, name="signup"),
    path("activities/<uuid:public_id>/cancel/", views.activity_cancel, name="activity_cancel"),
    path("signups/<uuid:public_id>/cancel/", views.signup_cancel, name="signup_cancel"),
    path("signups/<uuid:public_id>/check-in/", views.check_in, name="check_in"),
    path("<uuid:public_id>/", views.center_detail, name="detail"),
    path("<uuid:public_id>/edit/", views.center_edit, name="edit"),
    path("<uuid:public_id>/hours/", views.center_hours, name="hours"),
    path("<uuid:public_id>/closed-days/", views.closed_day_add, name="closed_day_add"),
    path("<uuid:public_id>/rooms/new/", views.room_form, name="room_add"),
    path("<uuid:public_id>/rooms/<uuid:room_id>/", views.room_form, name="room_edit"),
    path("<uuid:public_id>/calendar/", views.calendar, name="calendar"),
    path("<uuid:public_id>/activities/new/", views.activity_create, name="activity_create"),
]
