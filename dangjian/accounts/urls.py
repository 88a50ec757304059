from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("role/", views.switch_role, name="switch_role"),
    path("password/", views.password_change, name="password_change"),
    path("users/", views.user_list, name="user_list"),
    path("users/<uuid:public_id>/reset/", views.user_reset_password, name="user_reset_password"),
    path("users/<uuid:public_id>/mobile/", views.user_reveal_mobile, name="user_reveal_mobile"),
]
