from django.urls import path

from . import views

urlpatterns = [
    path("report/", views.report, name="report"),
    path("report/<uuid:public_id>/receipt/", views.receipt, name="receipt"),
    path("mine/", views.mine, name="mine"),
    path("mine/<uuid:public_id>/", views.mine_detail, name="mine_detail"),
    path("track/", views.track, name="track"),
    path("patrol/", views.patrol, name="patrol"),
    path("desk/new/", views.desk_new, name="desk_new"),
    path("locate/", views.locate, name="locate"),
    path("photos/<uuid:public_id>/", views.photo, name="photo"),
]
