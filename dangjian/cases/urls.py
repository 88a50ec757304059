"""Case pages: each part of the workflow keeps its routes in its own module."""

from . import desk_urls, duty_urls, figures_urls, intake_urls, whistle_urls

app_name = "cases"
urlpatterns = [
    *intake_urls.urlpatterns,
    *desk_urls.urlpatterns,
    *whistle_urls.urlpatterns,
    *duty_urls.urlpatterns,
    *figures_urls.urlpatterns,
]
