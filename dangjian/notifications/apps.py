from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "dangjian.notifications"
    verbose_name = _("消息通知")

    def ready(self) -> None:
        from . import receivers, tasks  # noqa: F401  (the step_taken receiver; the queue's tasks)
