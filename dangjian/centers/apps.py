from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CentersConfig(AppConfig):
    name = "dangjian.centers"
    verbose_name = _("党群服务中心")

    def ready(self):
        from . import workflow  # noqa: F401 - registers the declaration with core.workflow
