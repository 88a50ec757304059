from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationConfig(AppConfig):
    name = "dangjian.registration"
    verbose_name = _("双报到")
