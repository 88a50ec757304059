from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "dangjian.accounts"
    verbose_name = _("账号与角色")

    def ready(self):
        from dangjian.core.scoping import install_scope_resolver

        from . import middleware  # noqa: F401  (connects the sign-in receiver of the sliding session)
        from .roles import assignment_scope

        # core resolves "the scope of the active role" through this app, which owns role assignments.
        install_scope_resolver(assignment_scope)
