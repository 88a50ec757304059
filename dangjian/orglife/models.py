"""组织生活 (三会一课, 主题党日, 组织生活会, 民主评议, 谈心谈话): the rules as data per district, the
obligations they make for each branch and period (the compliance calendar), the records of meetings
held (each on a `meetings.Meeting`), and the district's quarterly guidance (重点动作指引).

- `MeetingRule`: one row per kind; rows without a district are every district's defaults (the 2018
  支部工作条例（试行）), a district's own row for a kind overrides the default.
- `Obligation`: what a branch owes in one period of one kind (due) and what it has held (held), one row
  per (branch, kind, period start), written by the daily scan and moved in the record's transaction.
- `MeetingRecord`: the branch's record of one meeting (planned → held / cancelled, `RECORD_FLOW`).
- `Guidance`: the district's guidance for a quarter; `GuidanceUptake` one row per branch that followed it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import TransitionLog
from dangjian.core.scoping import NOTHING, Scope, ScopedManager, prefix_q
from dangjian.core.tree import STEP, PathCopyField
from dangjian.meetings.models import Base, rule_fields


class Kind(models.TextChoices):
    MEMBERS_MEETING = "members_meeting", _("支部党员大会")
    COMMITTEE = "committee", _("支委会")
    GROUP = "group", _("党小组会")
    LECTURE = "lecture", _("党课")
    THEME_DAY = "theme_day", _("主题党日")
    LIFE_MEETING = "life_meeting", _("组织生活会")
    APPRAISAL = "appraisal", _("民主评议党员")
    TALK = "talk", _("谈心谈话")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    HALF_YEARLY = "half_yearly", _("每半年")
    YEARLY = "yearly", _("每年")


MONTHS_OF = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.HALF_YEARLY: 6, Frequency.YEARLY: 12}


class Attendees(models.TextChoices):
    MEMBERS = "members", _("支部全体党员")
    COMMITTEE = "committee", _("支部委员会委员")
    GROUP = "group", _("党小组全体党员")


def officer_scope_q(scope: Scope, org_field: str) -> Q:
    """Rows of the branches a Party member sits on the committee of (for a role scoped to the person)."""
    from dangjian.orgs.models import OrgOfficer

    if not scope.user_id:
        return NOTHING
    posts = OrgOfficer.objects.filter(user_id=scope.user_id, ended_on__isnull=True).values("org_id")
    return Q(**{f"{org_field}__in": posts})


class MeetingRule(models.Model):
    """How often a kind of meeting is due, who attends, and its quorum (no district: the default)."""

    district = models.ForeignKey(
        "territory.Area",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("区"),
        limit_choices_to={"level": "district"},
    )
    kind = models.CharField(_("会议类型"), max_length=20, choices=Kind.choices)
    attendees = models.CharField(_("参加人员"), max_length=12, choices=Attendees.choices, default=Attendees.MEMBERS)
    frequency = models.CharField(_("频次"), max_length=12, choices=Frequency.choices, default=Frequency.MONTHLY)
    times = models.PositiveSmallIntegerField(_("每期应开次数"), default=1)
    fixed_day = models.PositiveSmallIntegerField(
        _("固定日期（每月几日）"), null=True, blank=True, help_text=_("如主题党日定在每月某日；留空则不固定")
    )
    notice_days = models.PositiveSmallIntegerField(_("提前通知天数"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    points_rule_code = models.SlugField(_("计入积分规则"), max_length=40, blank=True, default="orglife_attendance")
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    locals().update(rule_fields("quorum", _("法定人数"), num=0, den=1, strict=False, base=Base.DUE))
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("组织生活规则")
        verbose_name_plural = _("组织生活规则")
        ordering = ["order", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["district", "kind"], name="orglife_rule_district_kind"),
            models.UniqueConstraint(fields=["kind"], condition=Q(district__isnull=True), name="orglife_rule_default"),
            models.CheckConstraint(condition=Q(times__gte=1, quorum_den__gt=0), name="orglife_rule_times_den"),
            models.CheckConstraint(
                condition=Q(fixed_day__isnull=True) | Q(fixed_day__gte=1, fixed_day__lte=28), name="orglife_rule_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.get_frequency_display()}）"

    @property
    def months(self) -> int:
        return MONTHS_OF[Frequency(self.frequency)]

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.everything:
            return Q()
        if not scope.area_path:
            return Q(district__isnull=True)
        return Q(district__isnull=True) | Q(district__path=scope.area_path[:STEP])


class BranchStart(models.Model):
    """When a branch began to owe org life (its founding); without a row, the day it was entered."""

    org = models.OneToOneField("orgs.PartyOrg", on_delete=models.CASCADE, related_name="+", verbose_name=_("党支部"))
    founded_on = models.DateField(_("成立日期"))

    class Meta:
        verbose_name = _("支部成立日期")
        verbose_name_plural = _("支部成立日期")

    def __str__(self) -> str:
        return f"{self.org_id}: {self.founded_on}"


class Obligation(models.Model):
    """What one branch owes of one kind in one period, and what it has held."""

    org = models.ForeignKey("orgs.PartyOrg", on_delete=models.CASCADE, related_name="+", verbose_name=_("党支部"))
    area_path = PathCopyField(editable=False)
    kind = models.CharField(_("会议类型"), max_length=20, choices=Kind.choices)
    period_start = models.DateField(_("期间开始"))
    period_end = models.DateField(_("期间结束"))
    cohort_at = models.DateTimeField(editable=False)  # the period start's midnight: the facts' cohort day
    due = models.PositiveSmallIntegerField(_("应开次数"), default=1)
    held = models.PositiveSmallIntegerField(_("已开次数"), default=0)
    due_on = models.DateField(_("应在此日前召开"), null=True, blank=True)  # a fixed day (主题党日)
    notified_at = models.DateTimeField(_("逾期提醒时间"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("组织生活应开事项")
        verbose_name_plural = _("组织生活应开事项")
        ordering = ["period_start", "kind", "org_id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "kind", "period_start"], name="orglife_obligation_once"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="orglife_period_order"),
        ]
        indexes = [
            models.Index(fields=["org", "period_start"], name="orglife_obl_org_start"),
            models.Index(fields=["area_path", "period_end", "id"], name="orglife_obl_area_end"),
        ]

    def __str__(self) -> str:
        return f"{self.org_id} {self.kind} {self.period_start}"

    @property
    def met(self) -> bool:
        return self.held >= self.due

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.area_path:
            return prefix_q("area_path", scope.area_path)
        return officer_scope_q(scope, "org")


class RecordStatus(models.TextChoices):
    PLANNED = "planned", _("已计划")
    HELD = "held", _("已召开")
    CANCELLED = "cancelled", _("已取消")


class Guidance(models.Model):
    """重点动作指引: the district's guidance for one quarter (topics, readings, suggested 主题党日)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey(
        "territory.Area",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("区"),
        limit_choices_to={"level": "district"},
    )
    area_path = PathCopyField(editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"), choices=[(q, f"{q}") for q in (1, 2, 3, 4)])
    title = models.CharField(_("标题"), max_length=120)
    topics = models.TextField(_("学习主题"))
    readings = models.TextField(_("必读篇目"), blank=True)
    activities = models.TextField(_("主题党日建议活动"), blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    branch_count = models.PositiveIntegerField(_("发布时的支部数"), default=0)
    uptake_count = models.PositiveIntegerField(_("已落实的支部数"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("重点动作指引")
        verbose_name_plural = _("重点动作指引")
        ordering = ["-year", "-quarter", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["district", "year", "quarter"], name="orglife_guidance_quarter"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.area_path = self.district.path
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("orglife:guidance", args=[self.public_id])

    @property
    def coverage(self) -> float | None:
        if not self.branch_count:
            return None
        return round(100 * self.uptake_count / self.branch_count, 1)

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.area_path:
            # A district's guidance is read by every node under it.
            return Q(area_path=scope.area_path[:STEP])
        if scope.user_id:
            return Q(published_at__isnull=False)
        return NOTHING


class MeetingRecord(models.Model):
    """A branch's record of one meeting, run on the meeting engine (`meeting`, owner "orglife.record:<id>")."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    org = models.ForeignKey("orgs.PartyOrg", on_delete=models.PROTECT, related_name="+", verbose_name=_("党支部"))
    area_path = PathCopyField(editable=False)
    kind = models.CharField(_("会议类型"), max_length=20, choices=Kind.choices)
    topic = models.CharField(_("主题"), max_length=200)
    starts_at = models.DateTimeField(_("召开时间"))
    place = models.CharField(_("地点"), max_length=120)
    meeting = models.OneToOneField(
        "meetings.Meeting", null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("会议")
    )
    status = models.CharField(_("状态"), max_length=12, choices=RecordStatus.choices, default=RecordStatus.PLANNED)
    version = models.PositiveIntegerField(default=1)
    guidance = models.ForeignKey(
        Guidance, null=True, blank=True, on_delete=models.SET_NULL, related_name="records", verbose_name=_("落实的指引")
    )
    linked_key = models.CharField(_("关联活动"), max_length=80, blank=True)  # "volunteering.activity:<uuid>"
    linked_label = models.CharField(_("关联活动名称"), max_length=150, blank=True)
    visit = models.CharField(_("主题党日参观地点"), max_length=150, blank=True)
    due_count = models.PositiveIntegerField(_("应到人数"), default=0)
    present_count = models.PositiveIntegerField(_("实到人数"), default=0)
    held_at = models.DateTimeField(_("登记召开时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("组织生活记录")
        verbose_name_plural = _("组织生活记录")
        ordering = ["-starts_at", "-pk"]
        indexes = [
            models.Index(fields=["org", "starts_at", "id"], name="orglife_rec_org_start"),
            models.Index(fields=["area_path", "starts_at", "id"], name="orglife_rec_area_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(present_count__lte=models.F("due_count")) | Q(due_count=0), name="orglife_rec_present"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.topic}"

    def get_absolute_url(self) -> str:
        return reverse("orglife:record", args=[self.public_id])

    @property
    def owner_key(self) -> str:
        return f"orglife.record:{self.pk}"

    @property
    def attendance_rate(self) -> float | None:
        if not self.due_count:
            return None
        return round(100 * self.present_count / self.due_count, 1)

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.area_path:
            return prefix_q("area_path", scope.area_path)
        return officer_scope_q(scope, "org")


class RecordLog(TransitionLog):
    record = models.ForeignKey(MeetingRecord, on_delete=models.CASCADE, related_name="log")

    class Meta(TransitionLog.Meta):
        verbose_name = _("组织生活记录日志")
        verbose_name_plural = _("组织生活记录日志")


class FileKind(models.TextChoices):
    PHOTO = "photo", _("照片")
    ATTACHMENT = "attachment", _("附件")


class RecordFile(models.Model):
    record = models.ForeignKey(MeetingRecord, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("类型"), max_length=12, choices=FileKind.choices)
    file = models.FileField(_("文件"), upload_to="orglife/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=150)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("记录附件")
        verbose_name_plural = _("记录附件")
        ordering = ["kind", "pk"]

    def __str__(self) -> str:
        return self.name


class GuidanceUptake(models.Model):
    """A branch followed a guidance issue (its first record saying so); coverage counts these."""

    guidance = models.ForeignKey(Guidance, on_delete=models.CASCADE, related_name="uptakes")
    org = models.ForeignKey("orgs.PartyOrg", on_delete=models.CASCADE, related_name="+")
    first_record = models.ForeignKey(MeetingRecord, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["guidance", "org"], name="orglife_uptake_once")]

    def __str__(self) -> str:
        return f"{self.guidance_id}/{self.org_id}"
