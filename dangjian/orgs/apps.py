from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "dangjian.orgs"
    verbose_name = _("党组织")

    def ready(self):
        from .weak import workflow  # noqa: F401 - registers the declaration with core.workflow
