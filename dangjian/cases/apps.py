from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "dangjian.cases"
    verbose_name = _("接诉即办")

    def ready(self):
        # The case workflow registers itself with the engine (core.workflow.REGISTRY) when declared.
        from . import workflow  # noqa: F401
