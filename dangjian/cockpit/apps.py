from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CockpitConfig(AppConfig):
    name = "dangjian.cockpit"
    verbose_name = _("驾驶舱")
