from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "dangjian.funds"
    verbose_name = _("经费管理")

    def ready(self) -> None:
        from . import workflow  # noqa: F401  (registers the declaration)
