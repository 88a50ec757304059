import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import NOTHING, Scope, ScopedManager, ScopedQuerySet, prefix_q
from dangjian.core.text import mask_mobile
from dangjian.territory.models import Area

from .roles import AREA_ROLES, Role


class UserManager(DjangoUserManager.from_queryset(ScopedQuerySet)):  # type: ignore[misc]
    """Django's user manager with visible_to() and get_for_user()."""


class User(AbstractUser):
    """A person who signs in. What they may see comes from their role assignments."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    mobile = models.CharField(_("手机号"), max_length=11, null=True, blank=True, unique=True)
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)
    # When an administrator's reset gave the temporary password; it expires TEMP_PASSWORD_MAX_AGE_HOURS later.
    temporary_password_at = models.DateTimeField(_("临时密码生成时间"), null=True, blank=True, editable=False)
    # The WeChat openid messages reach this person at (notifications' wechat channel), once they bind it.
    wechat_openid = models.CharField(_("微信 openid"), max_length=64, null=True, blank=True, unique=True)
    # The household-register row a resident's self sign-up matched (by mobile and name). Named, not
    # imported: people sit a layer above accounts.
    resident = models.OneToOneField(
        "people.Resident",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="account",
        verbose_name=_("户籍登记居民"),
    )

    objects = UserManager()  # type: ignore[misc]  # AbstractUser declares a plain UserManager

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def temporary_password_expired(self) -> bool:
        if not self.must_change_password or self.temporary_password_at is None:
            return False
        max_age = timedelta(hours=settings.TEMP_PASSWORD_MAX_AGE_HOURS)
        return timezone.now() >= self.temporary_password_at + max_age

    @property
    def masked_mobile(self) -> str:
        return mask_mobile(self.mobile or "")

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        # An admin sees the people who hold a role inside their territory; others only themselves.
        if scope.role in {Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN} and scope.area_path:
            inside = RoleAssignment.objects.filter(
                prefix_q("area__path", scope.area_path)
                | prefix_q("org__area__path", scope.area_path)
                | prefix_q("unit__community__path", scope.area_path)
                | prefix_q("department__area__path", scope.area_path)
                | prefix_q("home_community__path", scope.area_path)
            ).values("user_id")
            return Q(pk__in=inside)
        if scope.user_id:
            return Q(pk=scope.user_id)
        return NOTHING


class RoleAssignment(models.Model):
    """One role one person holds, bound to the scope it acts in."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("用户"))
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    area = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
        verbose_name=_("属地范围"),
    )
    org = models.ForeignKey(
        "orgs.PartyOrg",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
        verbose_name=_("所在党组织"),
    )
    department = models.ForeignKey(
        "units.Department",  # named, not imported: units sit a layer above accounts
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
        verbose_name=_("部门"),
    )
    unit = models.ForeignKey(
        "units.ResidentUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
        verbose_name=_("单位"),
    )
    # For the person-scoped roles (member, resident): the community they live in, when known.
    home_community = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="home_role_assignments",
        verbose_name=_("居住社区"),
        limit_choices_to={"level": "community"},
    )
    is_active = models.BooleanField(_("有效"), default=True)
    # The community's (or subdistrict's) Party secretary among its workers: where waiting work escalates.
    is_secretary = models.BooleanField(_("书记"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("角色分配")
        verbose_name_plural = _("角色分配")
        ordering = ["user_id", "pk"]
        constraints = [
            # Territorial roles are bound to a territory node; unit and department roles to theirs.
            models.CheckConstraint(
                condition=Q(role__in=sorted(AREA_ROLES), area__isnull=False)
                | (~Q(role__in=sorted(AREA_ROLES)) & Q(area__isnull=True)),
                name="accounts_role_area_scope",
            ),
            models.CheckConstraint(
                condition=Q(role=Role.UNIT_CONTACT, unit__isnull=False)
                | (~Q(role=Role.UNIT_CONTACT) & Q(unit__isnull=True)),
                name="accounts_role_unit_scope",
            ),
            models.CheckConstraint(
                condition=Q(role=Role.DEPARTMENT_STAFF, department__isnull=False)
                | (~Q(role=Role.DEPARTMENT_STAFF) & Q(department__isnull=True)),
                name="accounts_role_department_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} · {self.scope_label}"

    @property
    def scope_label(self) -> str:
        anchor = self.area or self.unit or self.department or self.org or self.home_community
        return str(anchor) if anchor else str(self.user)

    def to_scope(self) -> Scope:
        area = self.area
        return Scope(
            role=self.role,
            area_path=area.path if area else None,
            area_level=area.level if area else None,
            department_id=self.department_id,
            unit_id=self.unit_id,
            user_id=self.user_id if self.role in {Role.PARTY_MEMBER, Role.RESIDENT} else None,
        )

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return Q(user__in=User.objects.filter(User.scope_q(scope)))


class LoginFailure(models.Model):
    """A failed sign-in, kept for throttling (per account, whether typed as username or mobile, and per address)."""

    identifier = models.CharField(max_length=150, db_index=True)
    # The account the typed identifier names; empty for names no account has.
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("登录失败记录")
        verbose_name_plural = _("登录失败记录")
        indexes = [models.Index(fields=["ip", "at"], name="accounts_loginfail_ip_at")]

    def __str__(self) -> str:
        return f"{self.identifier} @ {self.at:%Y-%m-%d %H:%M}"


class PhoneCodePurpose(models.TextChoices):
    SIGNUP = "signup", _("注册")
    RESET = "reset", _("找回密码")


class PhoneCode(models.Model):
    """One verification code sent by SMS. Rows are the throttle's memory too (per mobile, per address)."""

    mobile = models.CharField(_("手机号"), max_length=11)
    purpose = models.CharField(_("用途"), max_length=16, choices=PhoneCodePurpose.choices)
    code_hash = models.CharField(max_length=64)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Minutes since the epoch: unique with the mobile, so two requests racing in one minute send one code.
    minute = models.PositiveIntegerField()
    expires_at = models.DateTimeField()
    tries = models.PositiveSmallIntegerField(default=0)
    verified_at = models.DateTimeField(null=True, blank=True)
    # When the sign-up or reset the verified code allowed was done; a code allows one.
    redeemed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        constraints = [models.UniqueConstraint(fields=["mobile", "minute"], name="accounts_phonecode_one_per_minute")]
        indexes = [
            models.Index(fields=["mobile", "created_at"], name="accounts_phonecode_mobile_at"),
            models.Index(fields=["ip", "created_at"], name="accounts_phonecode_ip_at"),
        ]

    def __str__(self) -> str:
        return f"{mask_mobile(self.mobile)} {self.get_purpose_display()} @ {self.created_at:%Y-%m-%d %H:%M}"
