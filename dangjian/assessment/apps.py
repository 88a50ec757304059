from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "dangjian.assessment"
    verbose_name = _("考核评议")

    def ready(self) -> None:
        from . import metrics, workflow  # noqa: F401  (registers the declaration and the metrics)
