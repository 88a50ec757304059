import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import NOTHING, Scope, ScopedManager, prefix_q
from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Member
from dangjian.territory.models import Area
from dangjian.units.models import ResidentUnit


class RegistrationKind(models.TextChoices):
    MEMBER = "member", _("在职党员报到")
    UNIT = "unit", _("单位党组织报到")


class RegistrationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待确认")
    CONFIRMED = "confirmed", _("已报到")
    REJECTED = "rejected", _("未通过")
    WITHDRAWN = "withdrawn", _("已撤回")


OPEN_STATUSES = [RegistrationStatus.SUBMITTED, RegistrationStatus.CONFIRMED]


class Registration(models.Model):
    """双报到: an in-service member registers where they live; a unit's Party organization where it is.

    The member or unit fills a short form from a phone (the community's QR code / link); the
    community confirms or rejects. At most one open registration per member, and per unit
    organization per community (enforced in the database).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("类型"), max_length=16, choices=RegistrationKind.choices)
    community = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="registrations",
        verbose_name=_("报到社区"),
        limit_choices_to={"level": "community"},
    )
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("党员")
    )
    org = models.ForeignKey(
        PartyOrg,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registrations",
        verbose_name=_("单位党组织"),
    )
    unit = models.ForeignKey(
        ResidentUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registrations",
        verbose_name=_("单位"),
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=RegistrationStatus.choices, default=RegistrationStatus.SUBMITTED
    )
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_mobile = models.CharField(_("联系电话"), max_length=11, blank=True)
    # What the member or unit offers (declared at registration; the service loop matches demands on it).
    skills = models.JSONField(_("特长与服务意向"), default=list, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    decided_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("确认人"),
    )
    decision_note = models.CharField(_("确认意见"), max_length=300, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("双报到")
        verbose_name_plural = _("双报到")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="member") & Q(member__isnull=False) & Q(org__isnull=True))
                | (Q(kind="unit") & Q(org__isnull=False) & Q(member__isnull=True)),
                name="registration_kind_matches_subject",
            ),
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(status__in=["submitted", "confirmed"], member__isnull=False),
                name="registration_one_open_per_member",
            ),
            models.UniqueConstraint(
                fields=["org", "community"],
                condition=Q(status__in=["submitted", "confirmed"], org__isnull=False),
                name="registration_one_open_per_org_and_community",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member or self.org} → {self.community}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.area_path:
            return prefix_q("community__path", scope.area_path)
        if scope.unit_id:
            return Q(unit_id=scope.unit_id)
        if scope.user_id:
            return Q(member__user_id=scope.user_id)
        return NOTHING


class RegistrationLog(models.Model):
    """One step of a registration's workflow: who, when, from, to, note."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="log", verbose_name=_("报到"))
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("操作人"),
    )
    from_status = models.CharField(_("原状态"), max_length=16, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("报到记录")
        verbose_name_plural = _("报到记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return Q(registration__in=Registration.objects.filter(Registration.scope_q(scope)))


class CommunityDocument(models.Model):
    """文件清单: the documents a community publishes to registered members and units."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    community = models.ForeignKey(
        Area,
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("社区"),
        limit_choices_to={"level": "community"},
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.URLField(_("链接"), blank=True)
    published_on = models.DateField(_("发布日期"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("文件清单")
        verbose_name_plural = _("文件清单")
        ordering = ["-published_on", "-pk"]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return prefix_q("community__path", scope.area_path)
