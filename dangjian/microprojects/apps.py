from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MicroprojectsConfig(AppConfig):
    name = "dangjian.microprojects"
    verbose_name = _("民生微实事")

    def ready(self) -> None:
        from . import workflow  # noqa: F401  (registers the declaration)
