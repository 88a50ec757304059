"""The public finder (no sign-in), mounted at /nearby/."""

from django.urls import path

from . import public_views

app_name = "centers_public"
urlpatterns = [
    path("", public_views.finder, name="finder"),
    path("<uuid:public_id>/", public_views.public_center, name="center"),
]
