from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnitsConfig(AppConfig):
    name = "dangjian.units"
    verbose_name = _("单位与部门")

    def ready(self):
        from dangjian.imports import registry

        from .importers import UnitImporter

        registry.register(UnitImporter)
