from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "dangjian.cases"
    verbose_name = _("接诉即办")
