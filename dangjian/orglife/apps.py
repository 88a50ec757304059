from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrglifeConfig(AppConfig):
    name = "dangjian.orglife"
    verbose_name = _("组织生活")

    def ready(self) -> None:
        from dangjian.notifications import kinds

        from . import workflow  # noqa: F401  (registers the declaration)

        kinds.register("orglife.overdue", _("组织生活逾期提醒"))
