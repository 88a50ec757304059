from django.urls import path

from . import views
from .phone import views as phone_views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("role/", views.switch_role, name="switch_role"),
    path("password/", views.password_change, name="password_change"),
    path("reset/", phone_views.reset_start, name="reset"),
    path("reset/verify/", phone_views.reset_verify, name="reset_verify"),
    path("reset/password/", phone_views.reset_password, name="reset_password"),
    path("users/", views.user_list, name="user_list"),
    path("users/<uuid:public_id>/reset/", views.user_reset_password, name="user_reset_password"),
    path("users/<uuid:public_id>/mobile/", views.user_reveal_mobile, name="user_reveal_mobile"),
]
