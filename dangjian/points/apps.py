from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "dangjian.points"
    verbose_name = _("党员积分")
