"""Governance cases (接诉即办): one case per complaint, incident or request, from any channel.

A case lands in a grid (point-in-polygon), and from it a community and a subdistrict; its category
proposes an item of the subdistrict's duty list (街长制 权责清单) and so the lead department and the
time limit. The person who accepts it is its owner until it is closed (首问负责制). Every step is a
row of CaseLog; the workflow (states, steps, moves) is declared in workflow.py.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Case as When_
from django.db.models import Q
from django.db.models.lookups import In, IsNull
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import TransitionLog
from dangjian.core.scoping import NOTHING, Scope, ScopedManager, ScopedQuerySet, prefix_q
from dangjian.core.tree import PathCopyField
from dangjian.territory.models import Area
from dangjian.units.models import Department, ResidentUnit


class Channel(models.TextChoices):
    PHONE = "phone", _("居民手机")
    PATROL = "patrol", _("网格巡查")
    HOTLINE = "hotline", _("热线")
    WALK_IN = "walk_in", _("民意接待厅")
    API = "api", _("接口")
    LIAISON = "liaison", _("挂点收集")  # a liaison's visit (cobuilding); the liaison's name is the reporter's


class DutyArea(models.TextChoices):
    """The three areas of the street-chief duty list."""

    ENFORCEMENT = "enforcement", _("综合执法")
    EMERGENCY = "emergency", _("应急处理")
    ORDER = "order", _("秩序维护")


def community_may_lead_default(duty_area: str) -> bool:
    """综合执法 is the departments' (law enforcement, demolition of illegal building, clean-ups)."""
    return duty_area != DutyArea.ENFORCEMENT


class LimitUnit(models.TextChoices):
    HOURS = "hours", _("小时")
    WORKDAYS = "workdays", _("工作日")


class CaseCategory(models.Model):
    """事件类别; its `code` is the Open311 service_code."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    group = models.CharField(_("分组"), max_length=30, blank=True)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    keywords = models.CharField(_("关键词"), max_length=300, blank=True, help_text=_("以空格分隔，用于自动识别类别"))
    is_active = models.BooleanField(_("启用"), default=True)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("事件类别")
        verbose_name_plural = _("事件类别")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name


class CategoryAttribute(models.Model):
    """An extra question of a category (Open311 service definition attribute)."""

    class Datatype(models.TextChoices):
        STRING = "string", _("文本")
        NUMBER = "number", _("数字")
        DATETIME = "datetime", _("日期时间")
        TEXT = "text", _("长文本")
        SINGLEVALUELIST = "singlevaluelist", _("单选")
        MULTIVALUELIST = "multivaluelist", _("多选")

    category = models.ForeignKey(CaseCategory, on_delete=models.CASCADE, related_name="attributes")
    code = models.SlugField(_("编码"), max_length=40)
    datatype = models.CharField(_("类型"), max_length=16, choices=Datatype.choices, default=Datatype.STRING)
    required = models.BooleanField(_("必填"), default=False)
    description = models.CharField(_("问题"), max_length=200)
    # [{"key": "...", "name": "..."}] for the list datatypes
    values = models.JSONField(_("选项"), default=list, blank=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("类别附加项")
        verbose_name_plural = _("类别附加项")
        ordering = ["category", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="cases_attribute_unique_code")]

    def __str__(self) -> str:
        return f"{self.category.code}.{self.code}"


class DutyItem(models.Model):
    """One item of a subdistrict's duty list (街长制 "1+6+N" 权责清单)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subdistrict = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="duty_items", verbose_name=_("街道"))
    name = models.CharField(_("事项"), max_length=100)
    duty_area = models.CharField(_("领域"), max_length=16, choices=DutyArea.choices)
    lead_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="lead_duty_items", verbose_name=_("牵头部门")
    )
    supporting_departments = models.ManyToManyField(
        Department, blank=True, related_name="supporting_duty_items", verbose_name=_("配合部门")
    )
    categories = models.ManyToManyField(CaseCategory, blank=True, related_name="duty_items", verbose_name=_("对应类别"))
    limit_amount = models.PositiveIntegerField(_("办理时限"), default=5)
    limit_unit = models.CharField(_("时限单位"), max_length=8, choices=LimitUnit.choices, default=LimitUnit.WORKDAYS)
    # Communities may not be made responsible for 行政执法、拆迁拆违、环境整治 (they may assist):
    # such items cannot be dispatched to a community or grid. Defaults from the area (see
    # community_may_lead_default).
    community_may_lead = models.BooleanField(_("社区可牵头办理"), default=True)
    sort = models.PositiveSmallIntegerField(_("序号"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("权责清单事项")
        verbose_name_plural = _("权责清单事项")
        ordering = ["subdistrict__path", "sort", "pk"]
        constraints = [models.UniqueConstraint(fields=["subdistrict", "name"], name="cases_duty_unique_name")]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.area_path:
            # Admins below a subdistrict (community, grid) read their subdistrict's list too.
            return prefix_q("subdistrict__path", scope.area_path) | Q(subdistrict__path=scope.area_path[:8])
        if scope.department_id:
            return Q(lead_department_id=scope.department_id) | Q(supporting_departments__id=scope.department_id)
        return NOTHING


class CasePolicy(models.Model):
    """The rules of case handling for a district, as data with defaults (design.md: never constants)."""

    district = models.OneToOneField(Area, on_delete=models.CASCADE, related_name="case_policy", verbose_name=_("区"))
    number_prefix = models.CharField(_("编号前缀"), max_length=8, default="XZ")
    default_limit_amount = models.PositiveIntegerField(_("默认办理时限"), default=5)
    default_limit_unit = models.CharField(
        _("默认时限单位"), max_length=8, choices=LimitUnit.choices, default=LimitUnit.WORKDAYS
    )
    accept_within_hours = models.PositiveIntegerField(_("受理时限（小时）"), default=2)
    warn_before_hours = models.PositiveIntegerField(_("到期前预警（小时）"), default=24)
    escalate_after_hours = models.PositiveIntegerField(_("超期后上报街道（小时）"), default=24)
    escalate_district_after_hours = models.PositiveIntegerField(_("超期后上报区（小时）"), default=72)
    callback_within_hours = models.PositiveIntegerField(_("办结后回访时限（小时）"), default=48)
    whistle_report_hours = models.PositiveIntegerField(_("吹哨后部门报到时限（小时）"), default=24)
    archive_after_days = models.PositiveIntegerField(_("回访后自动归档（天）"), default=7)
    duplicate_radius_m = models.PositiveIntegerField(_("疑似重复距离（米）"), default=200)
    duplicate_similarity = models.FloatField(_("疑似重复文本相似度"), default=0.5)
    duplicate_window_days = models.PositiveIntegerField(_("疑似重复时间窗（天）"), default=30)

    class Meta:
        verbose_name = _("办件规则")
        verbose_name_plural = _("办件规则")

    def __str__(self) -> str:
        return str(self.district)


class CalendarDay(models.Model):
    """An exception to Monday–Friday: a public holiday on a weekday, or a make-up workday (调休) at a weekend.

    Seeded from the `chinesecalendar` package; next year's official calendar is loaded with
    `manage.py load_calendar` once the State Council publishes it."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    name = models.CharField(_("名称"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class CaseStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待受理")
    ACCEPTED = "accepted", _("待派单")
    DISPATCHED = "dispatched", _("已派单")
    PUBLISHED = "published", _("待认领")
    HANDLING = "handling", _("处置中")
    CLOSED = "closed", _("已办结待回访")
    CALLED_BACK = "called_back", _("已回访")
    ARCHIVED = "archived", _("已归档")
    REJECTED = "rejected", _("不予受理")
    MERGED = "merged", _("已合并")


class Placement(models.TextChoices):
    POINT = "point", _("按坐标落格")
    BORDER = "border", _("网格边界（已按规则选定）")
    OUTSIDE = "outside", _("不在任何网格内")
    MANUAL = "manual", _("人工定位")
    NONE = "none", _("未定位")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


# What the satisfaction figure counts as satisfied (满意或基本满意).
SATISFIED_RATINGS = frozenset({Rating.SATISFIED, Rating.BASIC})


class AssigneeKind(models.TextChoices):
    GRID = "grid", _("网格")
    COMMUNITY = "community", _("社区")
    DEPARTMENT = "department", _("职能部门")
    MEMBER = "member", _("党员")
    UNIT = "unit", _("驻区单位")


# --- The list's stored order (due_key) ---------------------------------------------------------------
# One bigint, ascending: the list orders by (due_key, id) and an index on (scope column, due_key, id)
# serves every page. Three bands:
#   open with a deadline:      the deadline in microseconds since 1970 (< OPEN_NO_DEADLINE_BASE)
#   open without a deadline:   OPEN_NO_DEADLINE_BASE - received_at in µs (newest first)
#   finished (not open):       FINISHED_BASE - received_at in µs (newest first)
# "Overdue" is time-dependent but needs no write when time passes: an open case is overdue exactly
# when due_key < now in µs, a range on the same index (selectors.overdue_q). The deadline scan only
# writes overdue_at / escalation; every change of status or deadline rewrites the key with the row.
MICROS_CEILING = 10**17  # µs since 1970: beyond the year 5000
OPEN_NO_DEADLINE_BASE = 3 * MICROS_CEILING
FINISHED_BASE = 5 * MICROS_CEILING
OPEN_KEY_END = OPEN_NO_DEADLINE_BASE + 1  # due_key < this: open (both open bands)
FINISHED_KEY_START = FINISHED_BASE - MICROS_CEILING  # due_key >= this: finished
DUE_KEY_INPUTS = frozenset({"status", "deadline", "received_at"})
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def epoch_micros(value: datetime.datetime) -> int:
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return (value - _EPOCH) // datetime.timedelta(microseconds=1)


def _open_statuses() -> frozenset[str]:
    from .workflow import OPEN_STATUSES

    return frozenset(str(s) for s in OPEN_STATUSES)


def due_key_value(status: str, deadline: datetime.datetime | None, received_at: datetime.datetime | None) -> int:
    """The key of a case with these values (Python side of due_key_expression)."""
    received = epoch_micros(received_at or timezone.now())
    if status in _open_statuses():
        return epoch_micros(deadline) if deadline is not None else OPEN_NO_DEADLINE_BASE - received
    return FINISHED_BASE - received


class EpochMicros(models.Func):
    """A datetime column as microseconds since 1970 (bigint), on PostgreSQL and SQLite."""

    output_field = models.BigIntegerField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="(EXTRACT(EPOCH FROM %(expressions)s) * 1000000)::bigint")

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Django stores "YYYY-MM-DD HH:MM:SS[.ffffff]" (UTC): whole seconds, plus the six digits after the dot.
        sql, params = compiler.compile(self.source_expressions[0])
        template = (
            f"(CAST(strftime('%%s', {sql}) AS INTEGER) * 1000000 + CAST(substr({sql} || '.000000', 21, 6) AS INTEGER))"
        )
        return template, [*params, *params]


def _is_expression(value: Any) -> bool:
    return hasattr(value, "resolve_expression")


def _minus(base: int, micros: Any) -> Any:
    if isinstance(micros, int):
        return base - micros
    return models.ExpressionWrapper(models.Value(base) - micros, output_field=models.BigIntegerField())


def _micros(value: Any) -> Any:
    return EpochMicros(value) if _is_expression(value) else epoch_micros(value)


def _as_expression(value: Any) -> Any:
    return value if _is_expression(value) else models.Value(value, output_field=models.BigIntegerField())


_COLUMN: Any = object()  # an input the UPDATE does not set: the column itself


def due_key_expression(status: Any = _COLUMN, deadline: Any = _COLUMN, received_at: Any = _COLUMN) -> Any:
    """The key as one SQL expression (or a plain int when every input is a plain value), from the values
    an UPDATE sets: each input is a plain value, an expression over the old row, or (when not given)
    the column itself. Used by CaseQuerySet.update, so the key moves with the row in the same statement,
    and by the migration that fills it."""
    status = models.F("status") if status is _COLUMN else status
    deadline = models.F("deadline") if deadline is _COLUMN else deadline
    received_at = models.F("received_at") if received_at is _COLUMN else received_at
    finished = _minus(FINISHED_BASE, _micros(received_at))
    if deadline is None:
        open_key = _minus(OPEN_NO_DEADLINE_BASE, _micros(received_at))
    elif _is_expression(deadline):
        open_key = When_(
            models.When(IsNull(deadline, False), then=EpochMicros(deadline)),
            default=_as_expression(_minus(OPEN_NO_DEADLINE_BASE, _micros(received_at))),
            output_field=models.BigIntegerField(),
        )
    else:
        open_key = epoch_micros(deadline)
    if not _is_expression(status):
        return open_key if status in _open_statuses() else finished
    return When_(
        models.When(In(status, sorted(_open_statuses())), then=_as_expression(open_key)),
        default=_as_expression(finished),
        output_field=models.BigIntegerField(),
    )


class DueKeyField(models.BigIntegerField):
    """Case.due_key: computed from status, deadline and received_at on every save (declared after them,
    so received_at's auto_now_add has run)."""

    def pre_save(self, model_instance: Any, add: bool) -> int:
        value = due_key_value(model_instance.status, model_instance.deadline, model_instance.received_at)
        setattr(model_instance, self.attname, value)
        return value


class CaseQuerySet(ScopedQuerySet):
    def update(self, **kwargs: Any) -> int:
        """An update that sets status, deadline or received_at (take_step, the deadline scan, tests)
        sets due_key in the same statement."""
        if DUE_KEY_INPUTS & kwargs.keys() and "due_key" not in kwargs:
            kwargs["due_key"] = due_key_expression(**{k: kwargs[k] for k in DUE_KEY_INPUTS if k in kwargs})
        return super().update(**kwargs)


CaseManager = models.Manager.from_queryset(CaseQuerySet)


class Case(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("编号"), max_length=24, unique=True)
    channel = models.CharField(_("来源"), max_length=12, choices=Channel.choices)
    category = models.ForeignKey(CaseCategory, on_delete=models.PROTECT, related_name="cases", verbose_name=_("类别"))
    description = models.TextField(_("描述"), max_length=2000)
    attributes = models.JSONField(_("附加信息"), default=dict, blank=True)
    # Where: a point when known; the grid decides community and subdistrict.
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    placement = models.CharField(_("定位方式"), max_length=8, choices=Placement.choices, default=Placement.NONE)
    # Their own indexes are the list's (scope level column, due_key, id) ones below.
    grid = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    community = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    subdistrict = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    district = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", db_index=False)
    # The deepest territory node known (grid, else community...): scoping and rollups by range query.
    area_path = PathCopyField(db_index=True)
    # Who reported (personal data: masked in lists, revealed with an audit row).
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="reported_cases"
    )
    reporter_name = models.CharField(_("反映人"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    # Routing
    duty_item = models.ForeignKey(
        DutyItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases", verbose_name=_("权责事项")
    )
    status = models.CharField(_("状态"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.SUBMITTED)
    owner = models.ForeignKey(  # 首问负责人: who accepted it, until it is closed
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_cases",
        verbose_name=_("首问负责人"),
        db_index=False,  # served by cases_case_owner_key and cases_case_owner_area
    )
    assignee_kind = models.CharField(_("承办类型"), max_length=12, choices=AssigneeKind.choices, blank=True)
    assigned_area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    assigned_department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="assigned_cases"
    )
    assigned_user = models.ForeignKey(  # a grid worker, or the member who claimed/was given it
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="assigned_cases"
    )
    assigned_unit = models.ForeignKey(
        ResidentUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="assigned_cases"
    )
    # Time
    received_at = models.DateTimeField(_("受理时间"), auto_now_add=True, db_index=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    called_back_at = models.DateTimeField(null=True, blank=True)
    deadline = models.DateTimeField(_("办理期限"), null=True, blank=True, db_index=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    overdue_at = models.DateTimeField(_("超期时间"), null=True, blank=True)  # set once, by the deadline scan
    escalation_level = models.PositiveSmallIntegerField(default=0)  # 0 none, 1 subdistrict, 2 district
    supervised = models.BooleanField(_("督办"), default=False)
    return_count = models.PositiveSmallIntegerField(default=0)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    # Outcome
    result = models.TextField(_("办理结果"), blank=True)
    rating = models.CharField(_("评价"), max_length=12, choices=Rating.choices, blank=True)
    rating_note = models.CharField(_("评价说明"), max_length=300, blank=True)
    reject_reason = models.CharField(_("不予受理原因"), max_length=300, blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged")
    possible_duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="possible_duplicates"
    )
    # When the duplicate search ran (found or not); empty while it is still due (duplicates.py: the
    # sweep re-queues a recent case whose search was lost from the queue).
    duplicates_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Open311 clients that posted it, and their retry key.
    client = models.ForeignKey(
        "open311.ApiClient", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    idempotency_key = models.CharField(max_length=64, blank=True)
    # The SHA-256 of what was posted with the key: a retry must send the same, else it is refused.
    idempotency_fingerprint = models.CharField(max_length=64, blank=True, default="", db_default="")
    # The resident may keep a report out of public reads (Open311 lists it to staff-grant keys only).
    is_public = models.BooleanField(_("公开"), default=True, db_default=True)
    # Bumped on every change: a form carries the version it was read at, so no update is lost.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    # The list's order as one stored number (see due_key_value): open cases by deadline (so the overdue
    # ones come first), then open ones without a deadline, then finished ones, newest first. Written by
    # every save and every queryset update that touches status, deadline or received_at.
    due_key = DueKeyField(default=0, editable=False)

    objects = CaseManager()

    class Meta:
        verbose_name = _("事件")
        verbose_name_plural = _("事件")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="cases_case_unique_idempotency",
            ),
        ]
        indexes = [
            models.Index(fields=["area_path", "received_at"], name="cases_case_area_received"),
            # The deadline scan's index; its included columns let a capped tab count (a status, a scope
            # column, the key band) be an index-only scan on PostgreSQL.
            models.Index(
                fields=["status", "deadline"],
                name="cases_case_status_deadline",
                include=["district", "subdistrict", "community", "grid", "due_key"],
            ),
            models.Index(fields=["assigned_department", "status"], name="cases_case_dept_status"),
            # The workbench list: the scope's level column (equality), then the list's order, so a page
            # is an ordered index range (selectors.list_parts; keyset pages continue from (due_key, id)).
            models.Index(fields=["district", "due_key", "id"], name="cases_case_district_key"),
            models.Index(fields=["subdistrict", "due_key", "id"], name="cases_case_subdistrict_key"),
            models.Index(fields=["community", "due_key", "id"], name="cases_case_community_key"),
            models.Index(fields=["grid", "due_key", "id"], name="cases_case_grid_key"),
            models.Index(fields=["due_key", "id"], name="cases_case_key"),
            # The few supervised (督办) cases, in order: the 督办 tab and its count never walk the scope.
            models.Index(fields=["due_key", "id"], condition=Q(supervised=True), name="cases_case_supervised_key"),
            # What an owner holds: in order, and those outside their own scope (two ranges of area_path).
            models.Index(fields=["owner", "due_key", "id"], name="cases_case_owner_key"),
            models.Index(fields=["owner", "area_path"], name="cases_case_owner_area"),
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args: Any, **kwargs: Any) -> None:
        # DueKeyField.pre_save computes the key; a partial save that changes its inputs writes it too.
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and DUE_KEY_INPUTS & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "due_key"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("cases:detail", args=[self.public_id])

    @property
    def is_open(self) -> bool:
        from .workflow import OPEN_STATUSES

        return self.status in OPEN_STATUSES

    @property
    def status_badge(self) -> str:
        """The badge of the status, as the workflow declares it (a CSS modifier: `badge-<it>`)."""
        from .workflow import status_badge

        return status_badge(self.status)

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.area_path:
            return prefix_q("area_path", scope.area_path)
        if scope.department_id:
            # A department sees what was dispatched to it or what it was summoned to, nothing else.
            # Dispatch and whistles always write the link row, so the link table alone answers it,
            # through its (department, case) index.
            linked = CaseDepartment.objects.filter(department_id=scope.department_id).values("case_id")
            return Q(pk__in=linked)
        if scope.unit_id:
            return Q(assigned_unit_id=scope.unit_id)
        if scope.user_id:
            return Q(reporter_id=scope.user_id) | Q(assigned_user_id=scope.user_id)
        return NOTHING


class CaseDepartment(models.Model):
    """Every department a case has been dispatched to or summoned by a whistle: what the department may read."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="departments")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="case_links")
    since = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "department"], name="cases_casedept_unique")]
        indexes = [models.Index(fields=["department", "case"], name="cases_casedept_dept")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.department_id}"


class CaseLog(TransitionLog):
    """One step of a case (core.workflow): who, when, which step, from, to, note; `public` ones are
    shown to the resident (Open311 status_notes)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="log")

    class Meta(TransitionLog.Meta):
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        indexes = [models.Index(fields=["case", "at"], name="cases_log_case_at")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.step}"


class CasePhoto(models.Model):
    class Stage(models.TextChoices):
        REPORT = "report", _("反映")
        HANDLING = "handling", _("处置")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.REPORT)
    file = models.FileField(upload_to="cases/%Y/%m/", blank=True)
    media_url = models.URLField(max_length=500, blank=True)  # an Open311 client's media_url
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return str(self.public_id)


class CaseCounter(models.Model):
    """The last number given on a day: numbers are XZ-20261121-0042, one sequence per day."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day} {self.last}"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("未批准")


class Extension(models.Model):
    """延期: asked by whoever handles the case, decided by the level above the owner."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    amount = models.PositiveIntegerField(_("延长"))
    unit = models.CharField(_("单位"), max_length=8, choices=LimitUnit.choices, default=LimitUnit.WORKDAYS)
    reason = models.CharField(_("理由"), max_length=300)
    status = models.CharField(max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True)
    old_deadline = models.DateTimeField(null=True, blank=True)
    new_deadline = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(status="pending"), name="cases_extension_one_pending")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.status}"


class WhistleLevel(models.TextChoices):
    COMMUNITY = "community", _("社区吹哨")
    SUBDISTRICT = "subdistrict", _("街道吹哨")
    DISTRICT = "district", _("上报区级")


class Whistle(models.Model):
    """吹哨: a community (or the subdistrict, escalating) summons departments to a case by a time."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="whistles")
    level = models.CharField(_("层级"), max_length=12, choices=WhistleLevel.choices, default=WhistleLevel.COMMUNITY)
    blown_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    blown_at = models.DateTimeField(auto_now_add=True)
    report_by = models.DateTimeField(_("报到时限"))
    reason = models.CharField(_("吹哨事由"), max_length=500)
    escalated_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="escalations"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("吹哨")
        verbose_name_plural = _("吹哨")
        ordering = ["-blown_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.level}"


class Summons(models.Model):
    """One department summoned by a whistle, and its report: acknowledged, attended, acted."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    whistle = models.ForeignKey(Whistle, on_delete=models.CASCADE, related_name="summonses")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="summonses")
    acknowledged_at = models.DateTimeField(_("响应时间"), null=True, blank=True)
    attended_at = models.DateTimeField(_("到场时间"), null=True, blank=True)
    acted_at = models.DateTimeField(_("处置时间"), null=True, blank=True)
    note = models.CharField(_("报到说明"), max_length=500, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["whistle", "pk"]
        constraints = [models.UniqueConstraint(fields=["whistle", "department"], name="cases_summons_unique")]

    def __str__(self) -> str:
        return f"{self.whistle_id} {self.department_id}"
