from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Open311Config(AppConfig):
    name = "dangjian.open311"
    verbose_name = _("Open311 接口")

    def ready(self) -> None:
        # Every process bumps the intake reference token on an edit of what intake reads per
        # submit (keys, categories, policies, duty items), before it serves any request.
        from dangjian.cases.intake.reference import connect

        connect()
