from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemandsConfig(AppConfig):
    name = "dangjian.demands"
    verbose_name = _("群众点单")

    def ready(self) -> None:
        # The demand, service and evaluation lists of the five lists (registration's page); the demand
        # workflow's declaration, which registers with core.workflow.
        from . import lists, workflow  # noqa: F401
