"""Case pages: each part of the workflow keeps its routes in its own module."""

from .desk import urls as desk_urls
from .duty import urls as duty_urls
from .figures import urls as figures_urls
from .intake import urls as intake_urls
from .whistle import urls as whistle_urls

app_name = "cases"
urlpatterns = [
    *intake_urls.urlpatterns,
    *desk_urls.urlpatterns,
    *whistle_urls.urlpatterns,
    *duty_urls.urlpatterns,
    *figures_urls.urlpatterns,
]
