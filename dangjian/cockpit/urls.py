from django.urls import include, path

from . import views

app_name = "cockpit"

urlpatterns = [
    path("", views.home, name="home"),
    path("targets/", views.targets, name="targets"),
    path("report/", include("dangjian.cockpit.report.urls")),
    path("<uuid:public_id>/", views.node_page, name="node"),
    path("<uuid:public_id>/group/<slug:group>/", views.group_fragment, name="group"),
    path("<uuid:public_id>/figure/<slug:key>/", views.figure_page, name="figure"),
    path("<uuid:public_id>/map/", views.map_layer, name="map"),
]
