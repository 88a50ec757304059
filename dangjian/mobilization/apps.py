from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MobilizationConfig(AppConfig):
    name = "dangjian.mobilization"
    verbose_name = _("应急动员")
