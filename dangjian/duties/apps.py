from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DutiesConfig(AppConfig):
    name = "dangjian.duties"
    label = "duties"
    verbose_name = _("清单与准入")

    def ready(self) -> None:
        from dangjian.imports import registry

        from . import workflow  # noqa: F401  (registers the declarations)
        from .importers import EntryImporter

        registry.register(EntryImporter)
