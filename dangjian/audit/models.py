from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import NOTHING, Scope, ScopedManager, prefix_q
from dangjian.core.tree import PathCopyField


class Action(models.TextChoices):
    CREATE = "create", _("新增")
    UPDATE = "update", _("修改")
    DELETE = "delete", _("删除")
    MOVE = "move", _("移动")
    IMPORT = "import", _("导入")
    EXPORT = "export", _("导出")
    REVEAL = "reveal", _("查看敏感信息")
    RESET_PASSWORD = "reset_password", _("重置密码")
    CHANGE_PASSWORD = "change_password", _("修改密码")
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    SWITCH_ROLE = "switch_role", _("切换角色")


class AuditEvent(models.Model):
    """One write, reveal or export: who, in which role, did what to which object, and what changed."""

    at = models.DateTimeField(_("时间"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("操作人"),
    )
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    role = models.CharField(_("角色"), max_length=32, blank=True)
    action = models.CharField(_("操作"), max_length=32, choices=Action.choices)
    object_type = models.CharField(_("对象类型"), max_length=100)
    object_id = models.CharField(_("对象标识"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    # {field: [before, after]}; for a reveal or an export, what was revealed or exported.
    changes = models.JSONField(_("变更"), default=dict, blank=True)
    # The territory path the object belongs to, so the audit page can be scoped like everything else.
    area_path = PathCopyField(blank=True, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_event_object"),
            # The audit page's order (selectors.LIST_ORDER), walked backwards; with an action picked, that
            # action's events in the same order. A date range is a range of either. A district admin's
            # scope (area_path) is checked in the index (PostgreSQL: INCLUDE), not on each row's page.
            models.Index(fields=["at", "id"], include=["area_path"], name="audit_event_at"),
            models.Index(fields=["action", "at", "id"], include=["area_path"], name="audit_event_action_at"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_name} {self.get_action_display()} {self.object_repr}"

    @property
    def role_label(self) -> str:
        from dangjian.accounts.roles import Role

        return str(Role(self.role).label) if self.role in Role.values else self.role

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.role == "district_admin":
            return prefix_q("area_path", scope.area_path)
        return NOTHING
