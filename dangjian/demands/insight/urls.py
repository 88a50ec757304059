"""Pages read from the demand loop: figures and yearly records. Importing lists here registers the
demand, service and evaluation lists with the five-lists page as soon as the URLs load."""

from django.urls import path

from .. import lists as _lists  # noqa: F401 - registers the three lists of the five lists
from . import views

urlpatterns = [
    path("figures/", views.figures_page, name="figures"),
    path("figures/export/", views.figures_export, name="figures_export"),
    path("records/", views.records_page, name="records"),
    path("records/export/", views.records_export, name="records_export"),
]
