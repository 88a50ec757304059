from django.urls import path

from . import views

# Included by people/urls.py, so the names are people:signup, people:signup_verify, …
urlpatterns = [
    path("", views.signup_start, name="signup"),
    path("verify/", views.signup_verify, name="signup_verify"),
    path("details/", views.signup_details, name="signup_details"),
]
