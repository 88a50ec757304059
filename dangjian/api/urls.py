from django.urls import path, re_path

from . import views
from .api import API

# No app namespace here: ninja reverses its own pages under its namespace "api-v1" from the root.
urlpatterns = [
    path("v1/", API.urls),
    re_path(r"^v1/", views.unknown_endpoint),  # after the API's own: any other path under it
    path("tokens/", views.token_list, name="api_tokens"),
    path("tokens/<uuid:public_id>/revoke/", views.token_revoke, name="api_token_revoke"),
]
