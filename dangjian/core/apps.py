from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "dangjian.core"
    verbose_name = _("基础")

    def ready(self):
        # Each app declares its menu entries (navigation.py), its 今日待办 providers (todo.py) and what
        # its rows add to the figures store (facts.py); the store then hooks the writes it counts.
        autodiscover_modules("navigation", "todo", "facts")
        from .figures import facts

        facts.connect()
