"""Demand pages: the loop itself (desk_urls) and what is read from it (insight_urls)."""

from . import desk_urls, insight_urls

app_name = "demands"
urlpatterns = [*desk_urls.urlpatterns, *insight_urls.urlpatterns]
