from django.urls import path

from . import figures_views

urlpatterns = [
    path("figures/", figures_views.figures_page, name="figures"),
    path("figures/map.json", figures_views.figures_map, name="figures_map"),
    path("figures/export/", figures_views.figures_export, name="figures_export"),
    path("export/", figures_views.cases_export, name="export"),
]
