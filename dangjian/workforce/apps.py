from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkforceConfig(AppConfig):
    name = "dangjian.workforce"
    verbose_name = _("社区工作者队伍")

    def ready(self) -> None:
        from dangjian.imports import registry

        from . import workflow  # noqa: F401  (registers the step-up declaration)
        from .importers import WorkerImporter

        registry.register(WorkerImporter)
