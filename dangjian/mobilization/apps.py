from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MobilizationConfig(AppConfig):
    name = "dangjian.mobilization"
    verbose_name = _("应急动员")

    def ready(self) -> None:
        from dangjian.notifications import kinds

        from . import receivers, workflow  # noqa: F401 - registers the receivers and the workflow

        kinds.register("mobilization.callup", _("应急动员召集"))
        kinds.register("mobilization.task", _("应急任务"))
        kinds.register("mobilization.visit", _("走访任务"))
