from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationConfig(AppConfig):
    name = "dangjian.registration"
    verbose_name = _("双报到")

    def ready(self):
        from . import workflow  # noqa: F401 - registers the declaration with core.workflow
