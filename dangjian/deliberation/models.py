"""Deliberation: councils (红色议事厅 / 邻里议事厅) and their representatives, topics residents and
workers raise, and 四议两公开 runs with their matters, stage meetings and public disclosures.

Meetings are the meetings engine's (`meetings.Meeting`, owned by "deliberation.run:<pk>:<stage>" or
"deliberation.council:<pk>"); the rules each stage's meeting is held to are data per district
(`StageRule`, lawful defaults in `rules.py`).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import TransitionLog
from dangjian.core.scoping import NOTHING, Scope, ScopedManager, prefix_q
from dangjian.core.text import mask_address
from dangjian.core.tree import PathCopyField
from dangjian.meetings.models import rule_fields


def _area_q(scope: Scope) -> Q:
    return prefix_q("area_path", scope.area_path) if scope.area_path else NOTHING


class DistrictRules(models.Model):
    """One district's deliberation rules (data with defaults; a district edits them)."""

    district = models.OneToOneField(
        "territory.Area",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("区"),
        limit_choices_to={"level": "district"},
    )
    party_share_target = models.DecimalField(
        _("议事代表党员比例目标（%）"), max_digits=5, decimal_places=2, default=Decimal(40)
    )
    merge_allowed = models.BooleanField(_("书记、主任一肩挑时可合并前两议"), default=False)
    notice_days = models.PositiveSmallIntegerField(_("党员大会方案提前送达天数"), default=3)
    resolution_disclosure_days = models.PositiveSmallIntegerField(_("决议公开期限（天）"), default=7)
    result_disclosure_days = models.PositiveSmallIntegerField(_("实施结果公开期限（天）"), default=30)
    comment_hours = models.PositiveSmallIntegerField(_("纪要意见期（小时）"), default=48)

    class Meta:
        verbose_name = _("议事协商规则")
        verbose_name_plural = _("议事协商规则")
        constraints = [
            models.CheckConstraint(
                condition=Q(party_share_target__gte=0, party_share_target__lte=100), name="deliberation_share_0_100"
            )
        ]

    def __str__(self) -> str:
        return f"{self.district} · {self.party_share_target}%"


class Stage(models.TextChoices):
    PROPOSE = "propose", _("党组织提议")
    CONSULT = "consult", _("两委会商议")
    REVIEW = "review", _("党员大会审议")
    RESOLVE = "resolve", _("居民代表会议决议")


class RuleKey(models.TextChoices):
    """Whose rule: a stage's meeting, or the villagers' (residents') meeting that may resolve instead."""

    PROPOSE = "propose", _("党组织提议")
    CONSULT = "consult", _("两委会商议")
    REVIEW = "review", _("党员大会审议")
    RESOLVE = "resolve", _("居民代表会议决议")
    ASSEMBLY = "assembly", _("居民会议决议")


class StageRule(models.Model):
    """The quorum and majority one stage's meeting is held to in a district."""

    district = models.ForeignKey(
        "territory.Area",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("区"),
        limit_choices_to={"level": "district"},
    )
    stage = models.CharField(_("环节"), max_length=12, choices=RuleKey.choices)
    locals().update(rule_fields("quorum", _("法定人数"), num=1, den=2, strict=True, base="due"))
    locals().update(rule_fields("majority", _("表决通过"), num=1, den=2, strict=True, base="due"))
    households_quorum_num = models.PositiveSmallIntegerField(_("按户法定比例分子（0：不按户）"), default=0)
    households_quorum_den = models.PositiveSmallIntegerField(_("按户法定比例分母"), default=1)

    class Meta:
        verbose_name = _("四议两公开会议规则")
        verbose_name_plural = _("四议两公开会议规则")
        constraints = [
            models.UniqueConstraint(fields=["district", "stage"], name="deliberation_stage_rule_once"),
            models.CheckConstraint(condition=Q(quorum_den__gt=0, majority_den__gt=0), name="deliberation_rule_den_pos"),
        ]

    def __str__(self) -> str:
        return self.get_stage_display()


class CouncilKind(models.TextChoices):
    RED = "red", _("红色议事厅")
    NEIGHBOUR = "neighbour", _("邻里议事厅")


class Council(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    community = models.ForeignKey(
        "territory.Area",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("社区"),
        limit_choices_to={"level": "community"},
    )
    estate = models.ForeignKey(
        "territory.Estate", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("小区")
    )
    area_path = PathCopyField(db_index=True, editable=False)
    kind = models.CharField(_("类型"), max_length=12, choices=CouncilKind.choices, default=CouncilKind.RED)
    name = models.CharField(_("名称"), max_length=100)
    charter = models.TextField(_("议事协商章程"), blank=True)
    charter_file = models.FileField(_("章程附件"), upload_to="deliberation/charters/%Y/", blank=True)
    election_committee = models.CharField(_("选举委员会成员"), max_length=300, blank=True)
    term_start = models.DateField(_("任期开始"))
    term_end = models.DateField(_("任期结束"))
    # Kept by the representative services in the same transaction (the list reads them, never counts).
    reps_count = models.PositiveIntegerField(_("议事代表人数"), default=0)
    party_count = models.PositiveIntegerField(_("其中党员"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("议事会")
        verbose_name_plural = _("议事会")
        ordering = ["area_path", "name", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(term_end__gte=models.F("term_start")), name="deliberation_council_term"),
            models.CheckConstraint(
                condition=Q(party_count__lte=models.F("reps_count")), name="deliberation_council_party_le"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.area_path = self.community.path
        super().save(*args, **kwargs)

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return _area_q(scope)

    @property
    def party_share(self) -> Decimal | None:
        if not self.reps_count:
            return None
        return (Decimal(self.party_count * 100) / self.reps_count).quantize(Decimal("0.1"))


class Representative(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="representatives")
    name = models.CharField(_("姓名"), max_length=50)
    household = models.CharField(_("户（门牌）"), max_length=100, blank=True)
    estate = models.ForeignKey(
        "territory.Estate", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("小区")
    )
    is_party_member = models.BooleanField(_("党员"), default=False)
    member = models.ForeignKey(
        "people.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("党员档案")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("账号"),
    )
    term_start = models.DateField(_("任期开始"))
    term_end = models.DateField(_("任期结束"))
    election_meeting = models.ForeignKey(
        "meetings.Meeting",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("选举会议"),
    )
    active = models.BooleanField(_("在任"), default=True)

    class Meta:
        verbose_name = _("议事代表")
        verbose_name_plural = _("议事代表")
        ordering = ["council", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=True) | Q(is_party_member=True), name="deliberation_rep_member_is_party"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def household_masked(self) -> str:
        return mask_address(self.household)


class TopicSource(models.TextChoices):
    RESIDENT = "resident", _("居民提出")
    RECURRING = "recurring", _("高频诉求")
    GRID = "grid", _("网格员收集")
    COMMITTEE = "committee", _("社区党委提出")


class TopicStatus(models.TextChoices):
    RECEIVED = "received", _("待筛选")
    ACCEPTED = "accepted", _("已列入议程")
    ANSWERED = "answered", _("已答复")
    REFERRED = "referred", _("已转办")
    DECIDED = "decided", _("已议定")


class Topic(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    community = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    area_path = PathCopyField(editable=False)
    council = models.ForeignKey(
        Council, null=True, blank=True, on_delete=models.SET_NULL, related_name="topics", verbose_name=_("议事会")
    )
    title = models.CharField(_("议题"), max_length=100)
    body = models.TextField(_("具体内容"), blank=True)
    source = models.CharField(_("来源"), max_length=12, choices=TopicSource.choices)
    source_ref = models.CharField(_("关联诉求或事件"), max_length=120, blank=True)  # e.g. "demands.demand:<uuid>"
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("提出人"),
    )
    submitted_at = models.DateTimeField(_("提出时间"))
    status = models.CharField(_("状态"), max_length=24, choices=TopicStatus.choices, default=TopicStatus.RECEIVED)
    version = models.PositiveIntegerField(default=1)
    answer = models.TextField(_("答复或转办说明"), blank=True)
    agenda_item = models.ForeignKey(
        "meetings.AgendaItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("议程"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("议题")
        verbose_name_plural = _("议题")
        indexes = [models.Index(fields=["area_path", "submitted_at", "id"], name="deliberation_topic_scope")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.area_path = self.community.path
        super().save(*args, **kwargs)

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.area_path:
            return prefix_q("area_path", scope.area_path)
        if scope.user_id:
            return Q(submitted_by_id=scope.user_id)
        return NOTHING


class TopicLog(TransitionLog):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="log")

    class Meta(TransitionLog.Meta):
        verbose_name = _("议题流转记录")
        verbose_name_plural = _("议题流转记录")


class MatterKind(models.Model):
    """A kind of matter; `must_go_through`: the law (村委会组织法 art. 24 and the province's measures)
    requires 四议两公开 for it."""

    district = models.ForeignKey("territory.Area", on_delete=models.CASCADE, related_name="+", verbose_name=_("区"))
    name = models.CharField(_("事项类别"), max_length=60)
    must_go_through = models.BooleanField(_("必须经四议两公开"), default=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("决策事项类别")
        verbose_name_plural = _("决策事项类别")
        ordering = ["district", "name"]
        constraints = [models.UniqueConstraint(fields=["district", "name"], name="deliberation_kind_once")]

    def __str__(self) -> str:
        return self.name


class RunStatus(models.TextChoices):
    PROPOSING = "proposing", _("党组织提议")
    CONSULTING = "consulting", _("两委会商议")
    REVIEWING = "reviewing", _("党员大会审议")
    RESOLVING = "resolving", _("居民代表会议决议")
    RESOLVED = "resolved", _("待决议公开")
    IMPLEMENTING = "implementing", _("实施中")
    RESULT_PUBLISHED = "result_published", _("实施结果已公开")
    CLOSED = "closed", _("已办结")
    WITHDRAWN = "withdrawn", _("已撤回")


class Run(models.Model):
    """One 四议两公开 procedure over one or more matters of a community."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    community = models.ForeignKey(
        "territory.Area",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("社区"),
        limit_choices_to={"level": "community"},
    )
    area_path = PathCopyField(editable=False)
    title = models.CharField(_("名称"), max_length=120)
    merged = models.BooleanField(_("一肩挑合并前两议"), default=False)
    status = models.CharField(_("状态"), max_length=24, choices=RunStatus.choices, default=RunStatus.PROPOSING)
    version = models.PositiveIntegerField(default=1)
    started_at = models.DateTimeField(_("提议时间"))
    resolved_at = models.DateTimeField(_("决议时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    # Kept by the matter services (the figures and lists read them).
    matter_count = models.PositiveIntegerField(_("事项数"), default=0)
    amount_total = models.DecimalField(_("涉及金额（元）"), max_digits=16, decimal_places=2, default=Decimal(0))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("四议两公开")
        verbose_name_plural = _("四议两公开")
        indexes = [models.Index(fields=["area_path", "started_at", "id"], name="deliberation_run_scope")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.area_path = self.community.path
        super().save(*args, **kwargs)

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return _area_q(scope)


class RunLog(TransitionLog):
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="log")

    class Meta(TransitionLog.Meta):
        verbose_name = _("四议两公开流转记录")
        verbose_name_plural = _("四议两公开流转记录")


class Matter(models.Model):
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="matters")
    kind = models.ForeignKey(MatterKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("事项类别"))
    title = models.CharField(_("事项"), max_length=120)
    amount = models.DecimalField(
        _("金额（元）"), max_digits=14, decimal_places=2, default=Decimal(0), validators=[MinValueValidator(Decimal(0))]
    )

    class Meta:
        verbose_name = _("决策事项")
        verbose_name_plural = _("决策事项")
        ordering = ["run", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="deliberation_matter_amount_ge0")]

    def __str__(self) -> str:
        return self.title


class RunMeeting(models.Model):
    """A meeting held for one stage of a run (a stage may need a second meeting after a failed quorum)."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="stage_meetings")
    stage = models.CharField(_("环节"), max_length=12, choices=Stage.choices)
    meeting = models.OneToOneField("meetings.Meeting", on_delete=models.PROTECT, related_name="+")
    passed = models.BooleanField(_("通过"), default=False)

    class Meta:
        verbose_name = _("环节会议")
        verbose_name_plural = _("环节会议")
        ordering = ["run", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "stage"], condition=Q(passed=True), name="deliberation_stage_passed_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} · {self.meeting_id}"


class DisclosureKind(models.TextChoices):
    RESOLUTION = "resolution", _("决议公开")
    RESULT = "result", _("实施结果公开")


class Disclosure(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="disclosures")
    kind = models.CharField(_("公开类型"), max_length=12, choices=DisclosureKind.choices)
    text = models.TextField(_("公开内容"))
    published_at = models.DateTimeField(_("公开时间"))
    deadline = models.DateField(_("公开期限"))
    on_time = models.BooleanField(_("按期公开"))

    class Meta:
        verbose_name = _("公开")
        verbose_name_plural = _("公开")
        ordering = ["-published_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["run", "kind"], name="deliberation_disclosure_once")]

    def __str__(self) -> str:
        return f"{self.run} · {self.get_kind_display()}"


class DisclosureQuestion(models.Model):
    disclosure = models.ForeignKey(Disclosure, on_delete=models.CASCADE, related_name="questions")
    asker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(_("提问"), max_length=300)
    asked_at = models.DateTimeField(auto_now_add=True)
    answer = models.CharField(_("答复"), max_length=500, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("公开事项提问")
        verbose_name_plural = _("公开事项提问")
        ordering = ["asked_at", "pk"]

    def __str__(self) -> str:
        return self.text[:30]


class LinkTarget(models.TextChoices):
    CASE = "case", _("接诉即办事件")
    DEMAND = "demand", _("群众点单需求")
    PROJECT = "project", _("民生微实事项目")


class ResolutionLink(models.Model):
    """A case, demand or 民生微实事 project a passed resolution (a decided matter of a run, or a decided topic) created.

    Kept here, not on the case or demand: those apps know nothing of deliberation, and their pages
    name the origin through `deliberation_links.resolution_origin`. One of each kind per resolution,
    so a second click finds the first."""

    matter = models.ForeignKey(Matter, null=True, blank=True, on_delete=models.CASCADE, related_name="links")
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.CASCADE, related_name="links")
    target_kind = models.CharField(_("创建了"), max_length=8, choices=LinkTarget.choices)
    target_id = models.UUIDField(_("事件、需求或项目编号"))  # the case's, demand's or project's public id
    area_path = PathCopyField(editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("决议转办")
        verbose_name_plural = _("决议转办")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(matter__isnull=True, topic__isnull=False) | Q(matter__isnull=False, topic__isnull=True),
                name="deliberation_link_one_source",
            ),
            models.UniqueConstraint(
                fields=["matter", "target_kind"],
                condition=Q(matter__isnull=False),
                name="deliberation_link_matter_once",
            ),
            models.UniqueConstraint(
                fields=["topic", "target_kind"], condition=Q(topic__isnull=False), name="deliberation_link_topic_once"
            ),
            models.UniqueConstraint(fields=["target_kind", "target_id"], name="deliberation_link_target_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_target_kind_display()} {self.target_id}"
