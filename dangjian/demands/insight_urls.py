"""Pages read from the demand loop: figures and yearly records. Importing lists here registers the
demand, service and evaluation lists with the five-lists page as soon as the URLs load."""

from django.urls import path

from . import insight_views
from . import lists as _lists  # noqa: F401 - registers the three lists of the five lists

urlpatterns = [
    path("figures/", insight_views.figures_page, name="figures"),
    path("figures/export/", insight_views.figures_export, name="figures_export"),
    path("records/", insight_views.records_page, name="records"),
    path("records/export/", insight_views.records_export, name="records_export"),
]
