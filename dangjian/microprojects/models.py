"""民生微实事: projects residents want done, from 征集 to 结项, with their review meeting (the meetings
engine, owned by "microprojects.project:<pk>:review"), progress notes and photos, the residents'
satisfaction votes and the 双认领 claims of units and members.

Money never lives here: the budget is a commitment in the funds ledger (holder
"microprojects.project:<public_id>"); `budget_committed` and `amount_paid` are what the funds API
answered, kept in the same transaction (the figures read them; integrity compares them with the ledger).
Caps and acceptance rules are data per district (`DistrictRules`, defaults below)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import TransitionLog
from dangjian.core.scoping import NOTHING, Scope, ScopedManager, prefix_q
from dangjian.core.tree import PathCopyField
from dangjian.meetings.models import rule_fields

ZERO = Decimal("0.00")


class Kind(models.TextChoices):
    WORKS = "works", _("工程类")
    SERVICES = "services", _("服务类")
    GOODS = "goods", _("货物类")


class Source(models.TextChoices):
    RESIDENT = "resident", _("居民提议")
    RECURRING = "recurring", _("高频诉求或事件")
    COUNCIL = "council", _("议事会决议")
    UNIT = "unit", _("驻区单位提供")
    JOINT = "joint", _("联席会议")
    COMMUNITY = "community", _("社区征集")


class DistrictRules(models.Model):
    """One district's 民生微实事 rules (data with defaults; a district edits them in the admin)."""

    district = models.OneToOneField(
        "territory.Area",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("区"),
        limit_choices_to={"level": "district"},
    )
    works_cap = models.DecimalField(
        _("工程类单个项目上限（元）"), max_digits=12, decimal_places=2, default=Decimal(500000)
    )
    services_cap = models.DecimalField(
        _("服务类单个项目上限（元）"), max_digits=12, decimal_places=2, default=Decimal(200000)
    )
    goods_cap = models.DecimalField(
        _("货物类单个项目上限（元）"), max_digits=12, decimal_places=2, default=Decimal(200000)
    )
    min_votes = models.PositiveSmallIntegerField(_("验收须有居民满意度评价（人）"), default=3)
    min_photos = models.PositiveSmallIntegerField(_("验收须有照片（张）"), default=1)
    publicity_days = models.PositiveSmallIntegerField(_("验收结果公示期（天）"), default=7)
    locals().update(rule_fields("quorum", _("评议会议法定人数"), num=1, den=2, strict=True, base="due"))
    locals().update(rule_fields("majority", _("评议通过"), num=1, den=2, strict=True, base="present"))

    class Meta:
        verbose_name = _("民生微实事规则")
        verbose_name_plural = _("民生微实事规则")
        constraints = [
            models.CheckConstraint(
                condition=Q(works_cap__gte=0, services_cap__gte=0, goods_cap__gte=0), name="microprojects_caps_ge0"
            ),
            models.CheckConstraint(
                condition=Q(quorum_den__gt=0, majority_den__gt=0), name="microprojects_rule_den_pos"
            ),
        ]

    def __str__(self) -> str:
        return str(self.district)

    def cap(self, kind: str) -> Decimal:
        return {Kind.WORKS: self.works_cap, Kind.SERVICES: self.services_cap, Kind.GOODS: self.goods_cap}[Kind(kind)]


class Status(models.TextChoices):
    COLLECTING = "collecting", _("征集")
    REVIEWING = "reviewing", _("评议")
    AUDITING = "auditing", _("街道审核")
    APPROVED = "approved", _("待立项")
    IMPLEMENTING = "implementing", _("实施中")
    ACCEPTING = "accepting", _("验收中")
    PUBLICIZING = "publicizing", _("公示中")
    CLOSED = "closed", _("已结项")
    REJECTED = "rejected", _("未立项")
    WITHDRAWN = "withdrawn", _("已撤回")


# What the public board shows (each step's public part), and when units and members may claim.
PUBLIC_STATUSES = (Status.APPROVED, Status.IMPLEMENTING, Status.ACCEPTING, Status.PUBLICIZING, Status.CLOSED)
CLAIM_STATUSES = (Status.REVIEWING, Status.AUDITING, Status.APPROVED, Status.IMPLEMENTING)


class Project(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    community = models.ForeignKey(
        "territory.Area",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("社区"),
        limit_choices_to={"level": "community"},
    )
    area_path = PathCopyField(editable=False)
    title = models.CharField(_("项目名称"), max_length=100)
    description = models.TextField(_("项目内容"), blank=True)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    source_ref = models.CharField(_("关联来源"), max_length=120, blank=True)  # "demands.demand:<uuid>" and the like
    estimated_amount = models.DecimalField(_("估算金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.COLLECTING)
    version = models.PositiveIntegerField(default=1)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposer_name = models.CharField(_("提议人"), max_length=50, blank=True)
    proposed_at = models.DateTimeField(_("提议时间"))
    year = models.PositiveSmallIntegerField(_("资金年度"), null=True, blank=True)
    implementer_unit = models.ForeignKey(
        "units.ResidentUnit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("实施单位（驻区单位）"),
    )
    implementer_name = models.CharField(_("实施单位"), max_length=100, blank=True)
    budget_committed = models.DecimalField(_("立项资金（元）"), max_digits=12, decimal_places=2, default=ZERO)
    amount_paid = models.DecimalField(_("已支付（元）"), max_digits=12, decimal_places=2, default=ZERO)
    amount_released = models.DecimalField(_("结余退回（元）"), max_digits=12, decimal_places=2, default=ZERO)
    established_at = models.DateTimeField(_("立项时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("验收时间"), null=True, blank=True)
    acceptor_name = models.CharField(_("验收人"), max_length=50, blank=True)
    acceptance_note = models.TextField(_("验收意见"), blank=True)
    publicity_until = models.DateField(_("公示截止"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结项时间"), null=True, blank=True)
    # Kept by the services in the writer's transaction (lists and figures read them, never count).
    votes_count = models.PositiveIntegerField(_("满意度评价人数"), default=0)
    satisfied_count = models.PositiveIntegerField(_("满意及基本满意"), default=0)
    claims_count = models.PositiveIntegerField(_("认领数"), default=0)
    notes_count = models.PositiveIntegerField(_("进展记录数"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("民生微实事项目")
        verbose_name_plural = _("民生微实事项目")
        indexes = [
            models.Index(fields=["area_path", "proposed_at", "id"], name="microprojects_scope"),
            models.Index(fields=["community", "status", "proposed_at", "id"], name="microprojects_board"),
            models.Index(fields=["proposed_by", "proposed_at", "id"], name="microprojects_mine"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_paid__lte=models.F("budget_committed")), name="microprojects_paid_le"
            ),
            models.CheckConstraint(
                condition=Q(satisfied_count__lte=models.F("votes_count")), name="microprojects_sat_le"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.area_path = self.community.path
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("microprojects:detail", args=[self.public_id])

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.area_path:
            return prefix_q("area_path", scope.area_path)
        if scope.user_id:
            return Q(proposed_by_id=scope.user_id)
        if scope.unit_id:
            claimed = Claim.objects.filter(unit_id=scope.unit_id).values("project_id")
            return Q(implementer_unit_id=scope.unit_id) | Q(pk__in=claimed)
        return NOTHING

    @property
    def holder(self) -> str:
        """The funds ledger's commitment holder of this project."""
        return f"microprojects.project:{self.public_id}"

    @property
    def implementer(self) -> str:
        unit = self.implementer_unit if self.implementer_unit_id else None
        return self.implementer_name or (unit.name if unit is not None else "")

    @property
    def satisfaction(self) -> Decimal | None:
        if not self.votes_count:
            return None
        return (Decimal(self.satisfied_count * 100) / self.votes_count).quantize(Decimal("0.1"))

    @property
    def unspent(self) -> Decimal:
        return self.budget_committed - self.amount_paid - self.amount_released


class ProjectLog(TransitionLog):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="log")

    class Meta(TransitionLog.Meta):
        verbose_name = _("项目流转记录")
        verbose_name_plural = _("项目流转记录")


class ReviewMeeting(models.Model):
    """The council meeting that reviewed a project (a second one after a failed quorum is a new row)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="review_meetings")
    meeting = models.OneToOneField("meetings.Meeting", on_delete=models.PROTECT, related_name="+")
    council = models.ForeignKey(
        "deliberation.Council", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    passed = models.BooleanField(_("评议通过"), default=False)

    class Meta:
        verbose_name = _("评议会议")
        verbose_name_plural = _("评议会议")
        ordering = ["project", "pk"]

    def __str__(self) -> str:
        return f"{self.project_id} · {self.meeting_id}"


class NoteKind(models.TextChoices):
    PROGRESS = "progress", _("实施进展")
    ACCEPTANCE = "acceptance", _("验收")


class ProgressNote(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(_("类型"), max_length=12, choices=NoteKind.choices, default=NoteKind.PROGRESS)
    text = models.TextField(_("进展情况"))
    percent = models.PositiveSmallIntegerField(_("完成进度（%）"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("实施进展")
        verbose_name_plural = _("实施进展")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(percent__isnull=True) | Q(percent__lte=100), name="microprojects_pct")
        ]

    def __str__(self) -> str:
        return self.text[:30]


class ProjectPhoto(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="photos")
    note = models.ForeignKey(ProgressNote, on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(max_length=12, choices=NoteKind.choices, default=NoteKind.PROGRESS)
    file = models.FileField(upload_to="microprojects/%Y/%m/")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("项目照片")
        verbose_name_plural = _("项目照片")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return str(self.public_id)


class Verdict(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class SatisfactionVote(models.Model):
    """One resident's satisfaction with a project at its acceptance (once per person)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    verdict = models.CharField(_("评价"), max_length=12, choices=Verdict.choices)
    comment = models.CharField(_("意见"), max_length=300, blank=True)
    voted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("满意度评价")
        verbose_name_plural = _("满意度评价")
        ordering = ["voted_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["project", "voter"], name="microprojects_vote_once")]

    def __str__(self) -> str:
        return self.get_verdict_display()


class ClaimKind(models.TextChoices):
    MONEY = "money", _("资金")
    LABOUR = "labour", _("人力")
    MATERIALS = "materials", _("物资")


class Claim(models.Model):
    """双认领: a resident unit (through its contact) or an in-service Party member takes on a project or
    part of it. One claim per person, project and kind (a race is decided by the unique index)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="claims")
    kind = models.CharField(_("认领内容"), max_length=10, choices=ClaimKind.choices)
    part = models.CharField(_("认领部分"), max_length=200, blank=True)
    amount = models.DecimalField(_("资金（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    hours = models.DecimalField(_("人力（小时）"), max_digits=8, decimal_places=1, null=True, blank=True)
    claimant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    claimant_name = models.CharField(_("认领人"), max_length=100)
    unit = models.ForeignKey(
        "units.ResidentUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("认领单位"),
    )
    member = models.ForeignKey(
        "people.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("认领党员")
    )
    area_path = PathCopyField(editable=False)
    created_at = models.DateTimeField(_("认领时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("双认领")
        verbose_name_plural = _("双认领")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["unit", "created_at", "id"], name="microprojects_claim_unit"),
            models.Index(fields=["member", "created_at", "id"], name="microprojects_claim_member"),
            models.Index(fields=["claimant", "created_at", "id"], name="microprojects_claim_user"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["project", "claimant", "kind"], name="microprojects_claim_once"),
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gt=0), name="microprojects_claim_amt"),
            models.CheckConstraint(condition=Q(hours__isnull=True) | Q(hours__gt=0), name="microprojects_claim_hours"),
        ]

    def __str__(self) -> str:
        return f"{self.claimant_name} · {self.get_kind_display()}"
