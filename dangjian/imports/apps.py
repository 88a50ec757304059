from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "dangjian.imports"
    verbose_name = _("导入导出")

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        # Each app's exports.py registers its exports with dangjian.imports.registry.
        autodiscover_modules("exports")
