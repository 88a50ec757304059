from django.urls import path

from . import views

app_name = "points"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("ranking/", views.ranking, name="ranking"),
    path("rules/", views.rules, name="rules"),
    path("rules/<uuid:public_id>/", views.rule_edit, name="rule_edit"),
    path("award/", views.award, name="award"),
    path("members/<uuid:public_id>/", views.member_points, name="member"),
    path("entries/<uuid:public_id>/correct/", views.correct, name="correct"),
]
