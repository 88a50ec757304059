"""应急动员: a call-up (召集令) of in-service members, agency cadres and volunteers down to the grids when a
typhoon, an epidemic or a flood comes; their answers and placements; the grids' wanted headcount; tasks;
the vulnerable households' visit list and the needs it raises; the temporary Party organization.

Scoping: a call-up is seen by the desks whose territory holds its issuing node or any node it wants
hands for (a subdistrict commanding its part of a district's call-up), and by each person called (their
own answer, placement, tasks and visits)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import TransitionLog
from dangjian.core.scoping import NOTHING, Scope, ScopedManager, prefix_q
from dangjian.core.tree import PathCopyField
from dangjian.territory.models import Area


class HelpKind(models.TextChoices):
    PATROL = "patrol", _("巡逻值守")
    SCREENING = "screening", _("排查")
    DELIVERY = "delivery", _("配送")
    COUNSELLING = "counselling", _("心理疏导")
    VISITING = "visiting", _("入户走访")


class CallUpStatus(models.TextChoices):
    ACTIVE = "active", _("动员中")
    ENDED = "ended", _("已结束")


def _covers(scope: Scope, path_field: str) -> Q:
    """Rows at or under the scope's node, or above it (a district call-up is seen by its subdistricts)."""
    if not scope.area_path:
        return NOTHING
    return prefix_q(path_field, scope.area_path)


class CallUp(models.Model):
    """召集令: issued by a district or subdistrict for a scope and a period, with the help wanted."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("名称"), max_length=100)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="callups", verbose_name=_("发起属地"))
    area_path = PathCopyField(db_index=True, editable=False)
    kinds = models.JSONField(_("需要的帮助"), default=list)
    brief = models.TextField(_("任务说明"), max_length=2000, blank=True)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    is_drill = models.BooleanField(_("演练"), default=False)
    # Who is called: in-service members living in the scope, the cadres of these units, these teams.
    call_members = models.BooleanField(_("召集辖区在职党员"), default=True)
    units = models.ManyToManyField(
        "units.ResidentUnit", blank=True, related_name="callups", verbose_name=_("召集机关单位干部")
    )
    teams = models.ManyToManyField(
        "volunteering.Team", blank=True, related_name="callups", verbose_name=_("召集志愿服务队")
    )
    status = models.CharField(_("状态"), max_length=12, choices=CallUpStatus.choices, default=CallUpStatus.ACTIVE)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("发起人")
    )
    issued_at = models.DateTimeField(_("发起时间"), default=timezone.now)
    ended_at = models.DateTimeField(_("结束于"), null=True, blank=True)
    # The fan-out of the call (services.fanout_batch): the last user id told, and when all were.
    fanout_cursor = models.BigIntegerField(default=0, editable=False)
    fanout_done_at = models.DateTimeField(null=True, blank=True, editable=False)
    called_count = models.PositiveIntegerField(_("已召集"), default=0, editable=False)
    temp_org = models.ForeignKey(
        "orgs.PartyOrg",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="callups",
        verbose_name=_("临时党组织"),
    )
    # The archived record written when the call-up ends: totals, the honours list, the organization.
    archive = models.JSONField(_("归档记录"), default=dict, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("应急动员")
        verbose_name_plural = _("应急动员")
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["area_path", "issued_at", "id"], name="mob_callup_scope_issued")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="mob_callup_period_order"),
            models.CheckConstraint(condition=Q(status__in=["active", "ended"]), name="mob_callup_status_valid"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("mobilization:detail", args=[self.public_id])

    @property
    def kind_labels(self) -> list[str]:
        return [str(HelpKind(k).label) for k in self.kinds if k in HelpKind.values]

    @property
    def is_active(self) -> bool:
        return self.status == CallUpStatus.ACTIVE

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.area_path:
            wanted = Quota.objects.filter(prefix_q("area_path", scope.area_path)).values("callup_id")
            return prefix_q("area_path", scope.area_path) | Q(pk__in=wanted)
        if scope.user_id:
            return Q(pk__in=Call.objects.filter(user_id=scope.user_id).values("callup_id"))
        return NOTHING


class CallUpLog(TransitionLog):
    callup = models.ForeignKey(CallUp, on_delete=models.CASCADE, related_name="log", verbose_name=_("应急动员"))

    objects = ScopedManager()

    class Meta(TransitionLog.Meta):
        verbose_name = _("动员流程记录")
        verbose_name_plural = _("动员流程记录")

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return Q(callup__in=CallUp.objects.filter(CallUp.scope_q(scope)))


class Quota(models.Model):
    """How many hands a subdistrict, community or grid wants; placements under it fill it."""

    callup = models.ForeignKey(CallUp, on_delete=models.CASCADE, related_name="quotas", verbose_name=_("应急动员"))
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("属地"))
    area_path = PathCopyField(editable=False)
    headcount = models.PositiveIntegerField(_("需要人数"))
    placed = models.PositiveIntegerField(_("已安排"), default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("需求人数")
        verbose_name_plural = _("需求人数")
        ordering = ["area_path"]
        indexes = [models.Index(fields=["area_path"], name="mob_quota_path")]
        constraints = [
            models.UniqueConstraint(fields=["callup", "area"], name="mob_quota_one_per_area"),
            models.CheckConstraint(condition=Q(headcount__gt=0), name="mob_quota_headcount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.area} · {self.headcount}"

    @property
    def unmet(self) -> int:
        return max(0, self.headcount - self.placed)

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return Q(callup__in=CallUp.objects.filter(CallUp.scope_q(scope)))


class CallSource(models.TextChoices):
    MEMBER = "member", _("在职党员")
    UNIT = "unit", _("机关干部")
    TEAM = "team", _("志愿者")


class CallStatus(models.TextChoices):
    CALLED = "called", _("待答复")
    AVAILABLE = "available", _("可以参加")
    DECLINED = "declined", _("不能参加")
    PLACED = "placed", _("已安排")


class Call(models.Model):
    """One person called by a call-up, and their answer (from their phone: when, skills, limits)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    callup = models.ForeignKey(CallUp, on_delete=models.CASCADE, related_name="calls", verbose_name=_("应急动员"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="mobilization_calls",
        verbose_name=_("被召集人"),
    )
    member = models.ForeignKey(
        "people.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("党员")
    )
    name = models.CharField(_("姓名"), max_length=50)
    source = models.CharField(_("来源"), max_length=8, choices=CallSource.choices)
    # Where they live (their registered home community), else the call-up's node.
    home_path = PathCopyField(editable=False)
    # Where they are placed (a grid), else home_path: what a grid's or community's figures count.
    place_path = PathCopyField(editable=False)
    status = models.CharField(_("答复"), max_length=12, choices=CallStatus.choices, default=CallStatus.CALLED)
    called_at = models.DateTimeField(_("召集时间"), default=timezone.now)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    available_from = models.DateTimeField(_("可参加开始"), null=True, blank=True)
    available_to = models.DateTimeField(_("可参加结束"), null=True, blank=True)
    skills = models.CharField(_("特长"), max_length=200, blank=True)
    limits = models.CharField(_("限制"), max_length=200, blank=True)
    hours = models.DecimalField(_("服务时长（小时）"), max_digits=7, decimal_places=1, default=0, editable=False)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("召集对象")
        verbose_name_plural = _("召集对象")
        ordering = ["callup", "status", "-answered_at", "id"]
        indexes = [
            models.Index(fields=["callup", "status", "answered_at", "id"], name="mob_call_list"),
            models.Index(fields=["user", "called_at"], name="mob_call_user"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["callup", "user"], name="mob_call_once_per_person"),
            models.CheckConstraint(
                condition=Q(available_from__isnull=True)
                | Q(available_to__isnull=True)
                | Q(available_to__gt=models.F("available_from")),
                name="mob_call_available_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.callup} · {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("mobilization:answer", args=[self.public_id])

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.area_path:
            mine = prefix_q("home_path", scope.area_path) | prefix_q("place_path", scope.area_path)
            return mine | Q(callup__in=CallUp.objects.filter(prefix_q("area_path", scope.area_path)))
        if scope.user_id:
            return Q(user_id=scope.user_id)
        return NOTHING


class PlacementStatus(models.TextChoices):
    ACTIVE = "active", _("在岗")
    MOVED = "moved", _("已调整")
    RELEASED = "released", _("已撤回")


class Placement(models.Model):
    """A person placed in a grid for a time. Nobody is placed twice in overlapping time: the service
    locks the person's account row and checks their live placements; one live placement per call is a
    unique constraint."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="placements", verbose_name=_("召集对象"))
    callup = models.ForeignKey(CallUp, on_delete=models.CASCADE, related_name="placements", verbose_name=_("应急动员"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="mobilization_placements",
        verbose_name=_("人员"),
    )
    grid = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("网格"))
    grid_path = PathCopyField(editable=False)
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    status = models.CharField(_("状态"), max_length=10, choices=PlacementStatus.choices, default=PlacementStatus.ACTIVE)
    reason = models.CharField(_("安排理由"), max_length=200, blank=True)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("安排人")
    )
    placed_at = models.DateTimeField(_("安排时间"), default=timezone.now)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("下沉安排")
        verbose_name_plural = _("下沉安排")
        ordering = ["-placed_at", "-id"]
        indexes = [models.Index(fields=["user", "status", "starts_at"], name="mob_placement_user_live")]
        constraints = [
            models.UniqueConstraint(fields=["call"], condition=Q(status="active"), name="mob_placement_one_live"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="mob_placement_period_order"),
        ]

    def __str__(self) -> str:
        return f"{self.call.name} → {self.grid}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.area_path:
            return prefix_q("grid_path", scope.area_path) | Q(
                callup__in=CallUp.objects.filter(prefix_q("area_path", scope.area_path))
            )
        if scope.user_id:
            return Q(user_id=scope.user_id)
        return NOTHING


class DutyShift(models.Model):
    """A grid's duty shift of a call-up: a volunteering Shift at the grid's post (QR check-in/out and
    crediting are volunteering's)."""

    callup = models.ForeignKey(CallUp, on_delete=models.CASCADE, related_name="shifts", verbose_name=_("应急动员"))
    grid = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("网格"))
    grid_path = PathCopyField(editable=False)
    shift = models.OneToOneField(
        "volunteering.Shift", on_delete=models.CASCADE, related_name="duty", verbose_name=_("班次")
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("值守班次")
        verbose_name_plural = _("值守班次")
        ordering = ["callup", "grid_path", "shift__start"]

    def __str__(self) -> str:
        return f"{self.grid} · {self.shift}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.area_path:
            return prefix_q("grid_path", scope.area_path) | Q(
                callup__in=CallUp.objects.filter(prefix_q("area_path", scope.area_path))
            )
        if scope.user_id:
            return Q(shift__signups__user_id=scope.user_id)
        return NOTHING


class TaskKind(models.TextChoices):
    VISIT = "visit", _("入户走访")
    CHECKPOINT = "checkpoint", _("卡口值守")
    PATROL = "patrol", _("巡查")
    DELIVERY = "delivery", _("配送")
    OTHER = "other", _("其他")


class Task(models.Model):
    """A task in a grid, assigned to a person (or left to the grid's deployed members)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    callup = models.ForeignKey(CallUp, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("应急动员"))
    grid = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("网格"))
    grid_path = PathCopyField(editable=False)
    kind = models.CharField(_("类型"), max_length=12, choices=TaskKind.choices, default=TaskKind.OTHER)
    title = models.CharField(_("任务"), max_length=100)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mobilization_tasks",
        verbose_name=_("负责人"),
    )
    due_at = models.DateTimeField(_("完成时限"), null=True, blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("布置人")
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("任务")
        verbose_name_plural = _("任务")
        ordering = ["callup", "done_at", "due_at", "id"]
        indexes = [models.Index(fields=["callup", "grid_path", "id"], name="mob_task_grid")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.done_at is None and self.due_at is not None and self.due_at < timezone.now()

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.area_path:
            return prefix_q("grid_path", scope.area_path) | Q(
                callup__in=CallUp.objects.filter(prefix_q("area_path", scope.area_path))
            )
        if scope.user_id:
            return Q(assignee_id=scope.user_id)
        return NOTHING


def task_photo_path(instance: TaskReport, filename: str) -> str:
    return f"mobilization/tasks/{instance.task.public_id}/{uuid.uuid4().hex}{filename[filename.rfind('.') :][:6]}"


class TaskReport(models.Model):
    """Progress reported from the phone, with an optional photo."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports", verbose_name=_("任务"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("报告人")
    )
    text = models.CharField(_("进展"), max_length=500)
    photo = models.FileField(_("照片"), upload_to=task_photo_path, blank=True)
    done = models.BooleanField(_("已完成"), default=False)
    at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("任务进展")
        verbose_name_plural = _("任务进展")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.text[:40]

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return Q(task__in=Task.objects.filter(Task.scope_q(scope)))


class VulnerableTag(models.Model):
    """A resident tag that puts a household on the visit list (独居老人, 残疾, 低保, 孕产妇…): data with
    defaults (rows without a district); a district with rows of its own uses those instead."""

    district = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("区"),
        limit_choices_to={"level": "district"},
    )
    code = models.SlugField(_("居民标签代码"), max_length=40)
    label = models.CharField(_("名称"), max_length=30)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("重点关爱标签")
        verbose_name_plural = _("重点关爱标签")
        ordering = ["district_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["district", "code"], name="mob_vtag_unique"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(district__isnull=True), name="mob_vtag_default_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return Q()


class VisitStatus(models.TextChoices):
    PENDING = "pending", _("待走访")
    VISITED = "visited", _("已走访")
    EXCUSED = "excused", _("未走访（已说明）")


class Visit(models.Model):
    """One household on a grid's visit list, and its visit: the needs ticked, or why it was not visited."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    callup = models.ForeignKey(CallUp, on_delete=models.CASCADE, related_name="visits", verbose_name=_("应急动员"))
    household = models.ForeignKey(
        "people.Household", on_delete=models.PROTECT, related_name="+", verbose_name=_("住户")
    )
    grid = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("网格"))
    grid_path = PathCopyField(editable=False)
    label = models.CharField(_("住户"), max_length=150)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("电话"), max_length=11, blank=True)
    tags = models.JSONField(_("关爱标签"), default=list)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mobilization_visits",
        verbose_name=_("走访人"),
    )
    status = models.CharField(_("状态"), max_length=10, choices=VisitStatus.choices, default=VisitStatus.PENDING)
    visited_at = models.DateTimeField(_("走访时间"), null=True, blank=True)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("情况/未走访原因"), max_length=300, blank=True)
    need_count = models.PositiveSmallIntegerField(default=0, editable=False)
    met_count = models.PositiveSmallIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("重点户走访")
        verbose_name_plural = _("重点户走访")
        ordering = ["callup", "grid_path", "label", "id"]
        indexes = [models.Index(fields=["callup", "grid_path", "status", "id"], name="mob_visit_list")]
        constraints = [
            models.UniqueConstraint(fields=["callup", "household"], name="mob_visit_once_per_household"),
            models.CheckConstraint(condition=~Q(status="excused") | ~Q(note=""), name="mob_visit_excused_has_reason"),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(visited_at__isnull=False), name="mob_visit_done_has_time"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.area_path:
            return prefix_q("grid_path", scope.area_path) | Q(
                callup__in=CallUp.objects.filter(prefix_q("area_path", scope.area_path))
            )
        if scope.user_id:
            return Q(assignee_id=scope.user_id) | Q(
                grid_id__in=Placement.objects.filter(user_id=scope.user_id, status=PlacementStatus.ACTIVE).values(
                    "grid_id"
                ),
                callup__in=Placement.objects.filter(user_id=scope.user_id, status=PlacementStatus.ACTIVE).values(
                    "callup_id"
                ),
            )
        return NOTHING


class NeedKind(models.TextChoices):
    MEALS = "meals", _("送餐")
    MEDICINE = "medicine", _("送药")
    COUNSELLING = "counselling", _("心理疏导")
    SHOPPING = "shopping", _("代购")
    DISINFECTION = "disinfection", _("消杀")
    OTHER = "other", _("其他")


class Need(models.Model):
    """A ticked item of a visit's needs checklist: exactly one demand (a unique row per visit and kind,
    its demand written in the same transaction)."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="needs", verbose_name=_("走访"))
    kind = models.CharField(_("需求"), max_length=16, choices=NeedKind.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    demand = models.OneToOneField(
        "demands.Demand", on_delete=models.PROTECT, related_name="emergency_need", verbose_name=_("需求单")
    )
    met_at = models.DateTimeField(_("满足时间"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("走访需求")
        verbose_name_plural = _("走访需求")
        ordering = ["visit", "kind"]
        constraints = [models.UniqueConstraint(fields=["visit", "kind"], name="mob_need_once_per_kind")]

    def __str__(self) -> str:
        return self.get_kind_display()

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return Q(visit__in=Visit.objects.filter(Visit.scope_q(scope)))


class TempOrgMember(models.Model):
    """A deployed member listed in the temporary organization (their home organization is unchanged)."""

    callup = models.ForeignKey(CallUp, on_delete=models.CASCADE, related_name="org_members", verbose_name=_("应急动员"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(
        "people.Member", on_delete=models.PROTECT, related_name="temp_org_posts", verbose_name=_("党员")
    )
    home_org_name = models.CharField(_("原党组织"), max_length=150, blank=True)
    joined_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("临时党组织成员")
        verbose_name_plural = _("临时党组织成员")
        ordering = ["callup", "joined_at", "id"]
        constraints = [models.UniqueConstraint(fields=["callup", "member"], name="mob_temp_member_once")]

    def __str__(self) -> str:
        return str(self.member)

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return Q(callup__in=CallUp.objects.filter(CallUp.scope_q(scope)))
