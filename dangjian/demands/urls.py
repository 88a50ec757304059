"""Demand pages: the loop itself (desk/) and what is read from it (insight/)."""

from .desk import urls as desk_urls
from .insight import urls as insight_urls

app_name = "demands"
urlpatterns = [*desk_urls.urlpatterns, *insight_urls.urlpatterns]
