import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import TransitionLog
from dangjian.core.scoping import NOTHING, Scope, ScopedManager, prefix_q
from dangjian.core.text import mask_mobile
from dangjian.core.tree import STEP
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
    # The desk's order puts registrations waiting for a decision first: 0 while submitted, else 1. Stored
    # (computed by the database on every write), so the desk's order is an index range (DESK_ORDER).
    desk_rank = models.GeneratedField(
        expression=models.Case(
            models.When(status=RegistrationStatus.SUBMITTED, then=models.Value(0)), default=models.Value(1)
        ),
        output_field=models.SmallIntegerField(),
        db_persist=True,
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("双报到")
        verbose_name_plural = _("双报到")
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            # The desk's order (selectors.DESK_ORDER), within a community and across a scope.
            models.Index(fields=["community", "desk_rank", "-submitted_at", "-id"], name="registration_desk_community"),
            models.Index(fields=["desk_rank", "-submitted_at", "-id"], name="registration_desk_order"),
            # The five lists' 报到清单 of a community (selectors.CONFIRMED_ORDER).
            models.Index(
                fields=["community", "kind", "-decided_at", "-id"],
                condition=Q(status="confirmed"),
                name="registration_confirmed_list",
            ),
        ]
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

    @property
    def masked_contact_mobile(self) -> str:
        return mask_mobile(self.contact_mobile)

    @property
    def state(self):
        """What the status means (registration/workflow.py): badge, hint, open or not."""
        from .workflow import FLOW

        return FLOW.state(self.status)

    @property
    def community_steps(self) -> list[str]:
        """The steps the community may take on it now (the desk's buttons), from the declaration."""
        from .workflow import FLOW, Party

        return FLOW.allowed_steps(self.status, {Party.COMMUNITY})

    @property
    def subject_name(self) -> str:
        """Who registered: the member, or the unit's Party organization."""
        return self.member.name if self.member is not None else str(self.org)

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.area_path:
            return prefix_q("community__path", scope.area_path)
        if scope.unit_id:
            return Q(unit_id=scope.unit_id)
        if scope.user_id:
            return Q(member__user_id=scope.user_id)
        return NOTHING


def _status_label(value: str) -> str:
    return str(RegistrationStatus(value).label) if value in RegistrationStatus.values else value


class RegistrationLog(TransitionLog):
    """One step of a registration's workflow (registration/workflow.py): who, when, which step, from, to, note."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="log", verbose_name=_("报到"))

    objects = ScopedManager()

    class Meta(TransitionLog.Meta):
        verbose_name = _("报到记录")
        verbose_name_plural = _("报到记录")

    def __str__(self) -> str:
        return f"{self.from_label} → {self.to_label}"

    @property
    def from_label(self) -> str:
        return _status_label(self.from_status)

    @property
    def to_label(self) -> str:
        return _status_label(self.to_status)

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


class RegistrationLink(models.Model):
    """A community's self-service registration link (报到码): the token in the URL behind its QR code.

    The token is random and unguessable; regenerating it replaces it, so every printed or shared
    old link stops working at once.
    """

    community = models.OneToOneField(
        Area,
        on_delete=models.CASCADE,
        related_name="registration_link",
        verbose_name=_("社区"),
        limit_choices_to={"level": "community"},
    )
    token = models.CharField(_("令牌"), max_length=64, unique=True)
    generated_at = models.DateTimeField(_("生成时间"))
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("生成人"),
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("报到码")
        verbose_name_plural = _("报到码")

    def __str__(self) -> str:
        return f"{self.community} 报到码"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return prefix_q("community__path", scope.area_path)


class ServiceIntention(models.Model):
    """特长与服务意向 a registrant may tick (政策宣讲、文艺演出……): data with defaults.

    Rows without a district are the defaults; a district that adds its own rows offers those instead.
    """

    district = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="service_intentions",
        verbose_name=_("区"),
        limit_choices_to={"level": "district"},
    )
    name = models.CharField(_("名称"), max_length=30)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("服务意向选项")
        verbose_name_plural = _("服务意向选项")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"], condition=Q(district__isnull=True), name="registration_intention_default_name"
            ),
            models.UniqueConstraint(fields=["district", "name"], name="registration_intention_district_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if not scope.area_path:
            return NOTHING
        # The defaults, and the rows of the district the scope lies in.
        return Q(district__isnull=True) | Q(district__path=scope.area_path[:STEP])


class PublicFormAttempt(models.Model):
    """One submission of the public registration forms, kept per address for throttling."""

    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    matched = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("自助报到提交记录")
        verbose_name_plural = _("自助报到提交记录")
        indexes = [models.Index(fields=["ip", "at"], name="registration_attempt_ip_at")]

    def __str__(self) -> str:
        return f"{self.ip} @ {self.at:%Y-%m-%d %H:%M}"
