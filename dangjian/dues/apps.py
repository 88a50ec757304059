from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DuesConfig(AppConfig):
    name = "dangjian.dues"
    verbose_name = _("党费")

    def ready(self) -> None:
        from dangjian.notifications import kinds

        kinds.register("dues.arrears", _("党费欠交提醒"))
