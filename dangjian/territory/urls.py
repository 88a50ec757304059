from django.urls import path

from . import views

app_name = "territory"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("list/", views.area_list, name="list"),
    path("map/", views.map_home, name="map_home"),
    path("locate/", views.locate, name="locate"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/children/", views.children, name="children"),
    path("<uuid:public_id>/map/", views.map_page, name="map"),
    path("<uuid:public_id>/map.geojson", views.map_data, name="map_data"),
    path("<uuid:public_id>/grids/import/", views.grid_import, name="grid_import"),
    path("<uuid:public_id>/boundary/import/", views.boundary_import, name="boundary_import"),
]
