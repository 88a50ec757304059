from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CobuildingConfig(AppConfig):
    name = "dangjian.cobuilding"
    verbose_name = _("共驻共建")

    def ready(self) -> None:
        from . import receivers, workflow  # noqa: F401  (registers the task workflow)

        receivers.connect()
