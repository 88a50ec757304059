from django.urls import path

from . import views

app_name = "volunteering"
urlpatterns = [
    path("", views.home, name="home"),
    path("mine/", views.mine, name="mine"),
    path("teams/", views.team_list, name="teams"),
    path("teams/members/", views.member_list, name="members"),
    path("teams/new/", views.team_create, name="team_create"),
    path("teams/<uuid:public_id>/", views.team_detail, name="team_detail"),
    path("teams/<uuid:public_id>/join/", views.team_join, name="team_join"),
    path("teams/<uuid:public_id>/leave/", views.team_leave, name="team_leave"),
    path("teams/<uuid:public_id>/members/add/", views.team_member_add, name="team_member_add"),
    path("teams/<uuid:public_id>/members/<uuid:user_id>/remove/", views.team_member_remove, name="team_member_remove"),
    path("teams/<uuid:public_id>/activities/new/", views.activity_create, name="activity_create"),
    path("activities/<uuid:public_id>/", views.attendance, name="attendance"),
    path("activities/<uuid:public_id>/qr/", views.activity_qr, name="activity_qr"),
    path("correct/<str:kind>/<uuid:public_id>/", views.correct, name="correct"),
    path("scan/<str:token>/", views.scan, name="scan"),
    path("posts/new/", views.post_create, name="post_create"),
    path("posts/<uuid:public_id>/", views.post_detail, name="post_detail"),
    path("posts/<uuid:public_id>/qr/", views.post_qr, name="post_qr"),
    path("shifts/<uuid:public_id>/signup/", views.shift_signup, name="shift_signup"),
    path("shift-signups/<uuid:public_id>/cancel/", views.shift_signup_cancel, name="shift_signup_cancel"),
]
