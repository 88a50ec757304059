from django.urls import path

from . import views

app_name = "timebank"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("transfer/", views.transfer, name="transfer"),
    path("community/", views.community_home, name="community"),
    path("community/<uuid:public_id>/", views.community, name="community_detail"),
    path("community/<uuid:public_id>/grant/", views.grant, name="grant"),
    path("journal/<uuid:public_id>/correct/", views.correct, name="correct"),
]
