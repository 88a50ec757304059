from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "dangjian.meetings"
    verbose_name = _("会议")

    def ready(self) -> None:
        from dangjian.notifications import kinds

        from . import workflow  # noqa: F401  (registers the declaration)

        kinds.register("meetings.notice", _("会议通知"))
