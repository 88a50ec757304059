from django.urls import path

from . import views

urlpatterns = [
    path("<uuid:public_id>/whistle/", views.whistle_blow, name="whistle_blow"),
    path("whistles/", views.whistle_board, name="whistle_board"),
    path("whistles/<uuid:public_id>/", views.whistle_detail, name="whistle_detail"),
    path("whistles/<uuid:public_id>/escalate/", views.whistle_escalate, name="whistle_escalate"),
    path("summonses/<uuid:public_id>/report/", views.summons_report, name="summons_report"),
]
