from django.urls import path

from .views import activities, bookings, centres, circle

app_name = "centers"
urlpatterns = [
    path("", centres.center_list, name="list"),
    path("new/", centres.center_create, name="create"),
    path("circle/", centres.circle, name="circle"),
    path("circle/estates/", circle.circle_estates, name="circle_estates"),
    path("circle/data.geojson", centres.circle_data, name="circle_data"),
    path("circle/plan/", centres.circle_plan, name="circle_plan"),
    path("circle/settings/", centres.circle_settings, name="circle_settings"),
    path("bookings/", bookings.my_bookings, name="my_bookings"),
    path("bookings/approvals/", bookings.approvals, name="approvals"),
    path("bookings/<uuid:public_id>/", bookings.booking_detail, name="booking_detail"),
    path("bookings/<uuid:public_id>/<slug:action>/", bookings.booking_action, name="booking_action"),
    path("rooms/<uuid:room_id>/book/", bookings.book, name="book"),
    path("activities/", activities.activity_list, name="activity_list"),
    path("activities/<uuid:public_id>/", activities.activity_detail, name="activity_detail"),
    path("activities/<uuid:public_id>/signup/", activities.signup, name="signup"),
    path("activities/<uuid:public_id>/cancel/", activities.activity_cancel, name="activity_cancel"),
    path("signups/<uuid:public_id>/cancel/", activities.signup_cancel, name="signup_cancel"),
    path("signups/<uuid:public_id>/check-in/", activities.check_in, name="check_in"),
    path("<uuid:public_id>/", centres.center_detail, name="detail"),
    path("<uuid:public_id>/edit/", centres.center_edit, name="edit"),
    path("<uuid:public_id>/hours/", centres.center_hours, name="hours"),
    path("<uuid:public_id>/closed-days/", centres.closed_day_add, name="closed_day_add"),
    path("<uuid:public_id>/rooms/new/", centres.room_form, name="room_add"),
    path("<uuid:public_id>/rooms/<uuid:room_id>/", centres.room_form, name="room_edit"),
    path("<uuid:public_id>/calendar/", centres.calendar, name="calendar"),
    path("<uuid:public_id>/activities/new/", activities.activity_create, name="activity_create"),
]
