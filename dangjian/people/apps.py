from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "dangjian.people"
    verbose_name = _("党员与居民")

    def ready(self):
        from dangjian.imports import registry

        from .importers import MemberImporter, ResidentImporter

        registry.register(MemberImporter)
        registry.register(ResidentImporter)

        from . import receivers  # noqa: F401
