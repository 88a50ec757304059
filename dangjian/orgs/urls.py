from django.urls import path

from . import views
from .weak import urls as weak_urls

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("list/", views.org_list, name="list"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/children/", views.children, name="children"),
    *weak_urls.urlpatterns,  # 软弱涣散基层党组织整顿 (weak organizations)
]
