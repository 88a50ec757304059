from django.urls import path

from . import views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("scan/", views.scan, name="scan"),
    path("<uuid:public_id>/", views.meeting_detail, name="detail"),
    path("<uuid:public_id>/quorum/", views.meeting_quorum, name="quorum"),
    path("<uuid:public_id>/act/<slug:action>/", views.meeting_act, name="act"),
    path("<uuid:public_id>/attend/", views.attend, name="attend"),
]
