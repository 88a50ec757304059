from django.urls import path

from . import views

urlpatterns = [
    path("figures/", views.figures_page, name="figures"),
    path("figures/map.json", views.figures_map, name="figures_map"),
    path("figures/export/", views.figures_export, name="figures_export"),
    path("export/", views.cases_export, name="export"),
]
