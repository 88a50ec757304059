from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliberationConfig(AppConfig):
    name = "dangjian.deliberation"
    verbose_name = _("议事协商")

    def ready(self) -> None:
        from . import workflow  # noqa: F401  (registers the two declarations)
