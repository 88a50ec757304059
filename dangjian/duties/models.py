"""Duty lists and task admission (社区工作事项准入, issue 19 item 5).

- `DutyList`: one list per node and kind: a subdistrict's 街道权责清单 or 公共服务事项清单, a community's own
  社区工作事项清单, or the district's shared 社区工作事项清单 that applies to every community of the district
  that keeps no list of its own. Its `DutyListVersion`s run on the workflow `duties.version` (draft → in
  force → superseded; one in force per list, a constraint); a new draft starts as a copy of the version in
  force. `DutyListEntry` rows belong to one version; `key` follows an item from version to version, so the
  diff (added, removed, changed) and the sizes ("38 → 23", "96 → 48") are computed, never typed.
- `DutyKind`: the kinds of item as data, with whether a community may be the responsible party (False for
  行政执法、拆迁拆违、环境整治 by default, seeded by migration 0002).
- `AdmissionRequest` (workflow `duties.admission`: submitted → admitted / refused): a department or an
  office asks that a task may go down to communities, with the resources that follow it (权随责走、费随事转).
- `DownTask` (workflow `duties.task`: draft → sent → closed): a task sent down to communities, citing an
  in-force entry communities may be responsible for, or an admitted request; a refused send is kept as a
  `SendRefusal`. Each recipient community has a `TaskReply` (workflow `duties.reply`: pending → replied)
  whose values are checked against the task's `TaskField`s.

Not the same thing as `cases.DutyItem` (cases/duty/): that is the 街长制 权责清单 that routes case
categories to departments; this app is about what communities and subdistricts are obliged to do.
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
from dangjian.core.tree import STEP, PathCopyField, ancestor_paths


def scope_path(scope: Scope) -> str | None:
    """The territory path a scope acts from: its area, or for a department account the area the
    department serves."""
    if scope.area_path:
        return scope.area_path
    if scope.department_id:
        from dangjian.units.models import Department

        return Department.objects.filter(pk=scope.department_id).values_list("area__path", flat=True).first()
    return None


def around_q(scope: Scope, field: str = "area_path") -> Q:
    """Rows placed in the scope's subtree or on a node above it (a district's lists are read by its
    subdistricts and communities)."""
    path = scope_path(scope)
    if not path:
        return NOTHING
    return prefix_q(field, path) | Q(**{f"{field}__in": ancestor_paths(path)})


def district_q(scope: Scope, field: str = "area_path") -> Q:
    """Rows of the district the scope lies in."""
    path = scope_path(scope)
    return Q(**{f"{field}__startswith": path[:STEP]}) if path else NOTHING


# -- kinds of item ---------------------------------------------------------------------------------------
class DutyKind(models.Model):
    """A kind of duty item (党建、治理、服务、行政协助、行政执法…) and whether a community may be the
    responsible party for items of the kind. Data, edited in the admin; defaults in migration 0002."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=30)
    community_may_be_responsible = models.BooleanField(_("社区可作为责任主体"), default=True)
    sort = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("事项类别")
        verbose_name_plural = _("事项类别")
        ordering = ["sort", "pk"]

    def __str__(self) -> str:
        return self.name


# -- lists and versions ------------------------------------------------------------------------------------
class ListKind(models.TextChoices):
    SUBDISTRICT_DUTIES = "subdistrict_duties", _("街道权责清单")
    SUBDISTRICT_SERVICES = "subdistrict_services", _("街道公共服务事项清单")
    COMMUNITY_WORK = "community_work", _("社区工作事项清单")


# Which owner level each kind may have: a community list may be the district's shared one.
KIND_LEVELS = {
    ListKind.SUBDISTRICT_DUTIES: ("subdistrict",),
    ListKind.SUBDISTRICT_SERVICES: ("subdistrict",),
    ListKind.COMMUNITY_WORK: ("district", "community"),
}


class DutyList(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属"))
    area_path = PathCopyField(editable=False, db_index=True)
    kind = models.CharField(_("清单"), max_length=24, choices=ListKind.choices)
    name = models.CharField(_("名称"), max_length=80)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("清单")
        verbose_name_plural = _("清单")
        ordering = ["area_path", "kind", "pk"]
        constraints = [models.UniqueConstraint(fields=["owner", "kind"], name="duties_one_list_per_owner_kind")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.area_path = self.owner.path
        super().save(*args, **kwargs)

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return around_q(scope)

    @property
    def is_shared(self) -> bool:
        """The district's 社区工作事项清单, applying to its communities without a list of their own."""
        return self.kind == ListKind.COMMUNITY_WORK and len(self.area_path) == STEP


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("草案")
    IN_FORCE = "in_force", _("现行")
    SUPERSEDED = "superseded", _("已废止")


class DutyListVersion(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    duty_list = models.ForeignKey(DutyList, on_delete=models.CASCADE, related_name="versions")
    area_path = PathCopyField(editable=False)
    number = models.PositiveSmallIntegerField(_("版本号"))
    status = models.CharField(_("状态"), max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("来源版本")
    )
    effective_on = models.DateField(_("生效日期"), null=True, blank=True)
    basis = models.CharField(_("批准依据"), max_length=200, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("批准人"),
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    superseded_on = models.DateField(_("废止日期"), null=True, blank=True)
    # How many entries the version holds, kept by the services that add and remove them (and checked by
    # integrity.py): the size the list page and the figures compare across versions.
    entry_count = models.PositiveIntegerField(default=0)
    not_for_community = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("清单版本")
        verbose_name_plural = _("清单版本")
        ordering = ["duty_list", "number"]
        constraints = [
            models.UniqueConstraint(fields=["duty_list", "number"], name="duties_version_number_once"),
            models.UniqueConstraint(
                fields=["duty_list"], condition=Q(status="in_force"), name="duties_one_version_in_force"
            ),
            models.UniqueConstraint(fields=["duty_list"], condition=Q(status="draft"), name="duties_one_draft"),
            models.CheckConstraint(
                condition=~Q(status="in_force") | Q(effective_on__isnull=False), name="duties_in_force_has_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.duty_list.name}（第{self.number}版）"

    def save(self, *args, **kwargs):
        if not self.area_path:
            self.area_path = self.duty_list.area_path
        super().save(*args, **kwargs)

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return around_q(scope)


class VersionLog(TransitionLog):
    list_version = models.ForeignKey(DutyListVersion, on_delete=models.CASCADE, related_name="log")

    class Meta(TransitionLog.Meta):
        verbose_name = _("清单版本记录")
        verbose_name_plural = _("清单版本记录")


class DutyListEntry(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    list_version = models.ForeignKey(DutyListVersion, on_delete=models.CASCADE, related_name="entries")
    # The same item in every version of its list (copied with the draft): what the diff compares.
    key = models.UUIDField(default=uuid.uuid4, editable=False)
    sort = models.PositiveIntegerField(_("序号"), default=0)
    name = models.CharField(_("事项名称"), max_length=200)
    kind = models.ForeignKey(DutyKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("类别"))
    lead_text = models.CharField(_("责任主体"), max_length=100, blank=True)
    lead_department = models.ForeignKey(
        "units.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("牵头部门"),
    )
    community_may_be_responsible = models.BooleanField(_("社区可作为责任主体"), default=True)
    legal_basis = models.CharField(_("设定依据"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("清单事项")
        verbose_name_plural = _("清单事项")
        ordering = ["list_version", "sort", "pk"]
        constraints = [models.UniqueConstraint(fields=["list_version", "key"], name="duties_entry_key_once")]

    def __str__(self) -> str:
        return self.name

    @property
    def lead(self) -> str:
        return self.lead_department.name if self.lead_department else self.lead_text


# -- admission ---------------------------------------------------------------------------------------------
class AdmissionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审批")
    ADMITTED = "admitted", _("准予准入")
    REFUSED = "refused", _("不予准入")


class DecisionBody(models.TextChoices):
    DISTRICT = "district", _("区委区政府")
    JOINT_MEETING = "joint_meeting", _("联席会议")


class AdmissionRequest(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("区"))
    area_path = PathCopyField(editable=False, db_index=True)  # the applicant's node
    applicant_department = models.ForeignKey(
        "units.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("申请部门"),
    )
    applicant_area = models.ForeignKey(
        "territory.Area",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("申请单位"),
    )
    applicant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(_("事项名称"), max_length=200)
    reason = models.TextField(_("申请理由"))
    entry = models.ForeignKey(
        DutyListEntry,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("对应清单事项"),
        help_text=_("不选即为新增事项"),
    )
    money = models.DecimalField(
        _("随事转拨经费（元）"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    people = models.PositiveSmallIntegerField(_("随事配备人员（人）"), default=0)
    powers = models.CharField(_("随责下放的权限"), max_length=300, blank=True)
    resources_note = models.CharField(_("其他保障"), max_length=300, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=AdmissionStatus.choices, default=AdmissionStatus.SUBMITTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("登记人"),
    )
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    decision_body = models.CharField(_("决定机关"), max_length=16, choices=DecisionBody.choices, blank=True)
    decision_basis = models.CharField(_("决定依据"), max_length=300, blank=True)
    added_entry = models.ForeignKey(
        DutyListEntry,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("已列入草案的事项"),
    )
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("准入申请")
        verbose_name_plural = _("准入申请")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "area_path", "id"], name="duties_admission_scope")]
        constraints = [
            models.CheckConstraint(condition=Q(money__gte=0), name="duties_admission_money_positive"),
            models.CheckConstraint(
                condition=Q(applicant_department__isnull=False) | Q(applicant_area__isnull=False),
                name="duties_admission_has_applicant",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def applicant(self) -> str:
        if self.applicant_department:
            return self.applicant_department.name
        return self.applicant_area.name if self.applicant_area else ""

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.department_id:
            return Q(applicant_department_id=scope.department_id)
        # The district sees every request of the district; a subdistrict its own and its communities'.
        if scope.area_path and len(scope.area_path) == STEP:
            return Q(area_path__startswith=scope.area_path)
        return prefix_q("area_path", scope.area_path) if scope.area_path else NOTHING


class AdmissionLog(TransitionLog):
    request = models.ForeignKey(AdmissionRequest, on_delete=models.CASCADE, related_name="log")

    class Meta(TransitionLog.Meta):
        verbose_name = _("准入申请记录")
        verbose_name_plural = _("准入申请记录")


# -- tasks sent down ---------------------------------------------------------------------------------------
class TaskStatus(models.TextChoices):
    DRAFT = "draft", _("待下派")
    SENT = "sent", _("已下派")
    CLOSED = "closed", _("已结束")


class DownTask(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The sender's node: a department's area, or the admin's own area; recipients lie under it.
    area_path = PathCopyField(editable=False, db_index=True)
    sender_department = models.ForeignKey(
        "units.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("下派部门"),
    )
    sender_area = models.ForeignKey(
        "territory.Area",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("下派单位"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(_("任务名称"), max_length=200)
    body = models.TextField(_("任务内容"), blank=True)
    deadline = models.DateField(_("填报截止日期"))
    entry = models.ForeignKey(
        DutyListEntry,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("依据的社区工作事项"),
    )
    admission = models.ForeignKey(
        AdmissionRequest,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
        verbose_name=_("依据的准入事项"),
    )
    communities = models.ManyToManyField("territory.Area", related_name="+", verbose_name=_("下派社区"))
    status = models.CharField(_("状态"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.DRAFT)
    sent_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("下派任务")
        verbose_name_plural = _("下派任务")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["area_path", "created_at", "id"], name="duties_task_scope")]
        constraints = [
            models.CheckConstraint(
                condition=Q(sender_department__isnull=False) | Q(sender_area__isnull=False),
                name="duties_task_has_sender",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def sender(self) -> str:
        if self.sender_department:
            return self.sender_department.name
        return self.sender_area.name if self.sender_area else ""

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.department_id:
            return Q(sender_department_id=scope.department_id)
        if scope.area_path and scope.role in ("district_admin", "subdistrict_admin"):
            # Tasks sent from the admin's subtree, and those sent from above to communities under it.
            below = TaskReply.objects.filter(prefix_q("area_path", scope.area_path)).values("task_id")
            return prefix_q("area_path", scope.area_path) | Q(pk__in=below)
        return NOTHING


class TaskLog(TransitionLog):
    task = models.ForeignKey(DownTask, on_delete=models.CASCADE, related_name="log")

    class Meta(TransitionLog.Meta):
        verbose_name = _("下派任务记录")
        verbose_name_plural = _("下派任务记录")


class FieldKind(models.TextChoices):
    TEXT = "text", _("文字")
    NUMBER = "number", _("数字")
    DATE = "date", _("日期")
    CHOICE = "choice", _("选项")


class TaskField(models.Model):
    """One field of the form a task asks communities to fill in."""

    task = models.ForeignKey(DownTask, on_delete=models.CASCADE, related_name="fields")
    label = models.CharField(_("填报项"), max_length=60)
    kind = models.CharField(_("类型"), max_length=8, choices=FieldKind.choices, default=FieldKind.TEXT)
    required = models.BooleanField(_("必填"), default=True)
    choices = models.CharField(_("选项（以、分隔）"), max_length=300, blank=True)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("填报项")
        verbose_name_plural = _("填报项")
        ordering = ["task", "sort", "pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def name(self) -> str:
        return f"f{self.pk}"

    @property
    def options(self) -> list[str]:
        return [c.strip() for c in self.choices.replace(",", "、").replace("，", "、").split("、") if c.strip()]


class RefusalReason(models.TextChoices):
    UNADMITTED = "unadmitted", _("未列入清单且未经准入")
    NOT_FOR_COMMUNITY = "not_for_community", _("社区不得作为责任主体")
    NOT_IN_FORCE = "not_in_force", _("清单事项已不在现行版本")


class SendRefusal(models.Model):
    """A refused attempt to send a task down: who, when, what, why (the figure "refused tasks")."""

    task = models.ForeignKey(DownTask, on_delete=models.CASCADE, related_name="refusals")
    area_path = PathCopyField(editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=100, blank=True)
    at = models.DateTimeField()
    reason = models.CharField(max_length=20, choices=RefusalReason.choices)
    message = models.CharField(max_length=300)
    entry = models.ForeignKey(DutyListEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    communities = models.PositiveIntegerField(default=0)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("被拒绝的下派")
        verbose_name_plural = _("被拒绝的下派")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return self.message

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return (
            DownTask.scope_q(scope)
            if scope.department_id
            else (prefix_q("area_path", scope.area_path) if scope.area_path else NOTHING)
        )


class ReplyStatus(models.TextChoices):
    PENDING = "pending", _("待填报")
    REPLIED = "replied", _("已填报")


class TaskReply(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    task = models.ForeignKey(DownTask, on_delete=models.CASCADE, related_name="replies")
    community = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    area_path = PathCopyField(editable=False)
    status = models.CharField(_("状态"), max_length=10, choices=ReplyStatus.choices, default=ReplyStatus.PENDING)
    values = models.JSONField(default=dict, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    replied_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("任务填报")
        verbose_name_plural = _("任务填报")
        ordering = ["task", "area_path"]
        indexes = [models.Index(fields=["area_path", "status", "id"], name="duties_reply_scope")]
        constraints = [models.UniqueConstraint(fields=["task", "community"], name="duties_one_reply_per_community")]

    def __str__(self) -> str:
        return f"{self.task.title} · {self.community.name}"

    @property
    def on_time(self) -> bool:
        from django.utils import timezone

        return bool(self.replied_at) and timezone.localdate(self.replied_at) <= self.task.deadline

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.department_id:
            return Q(task__sender_department_id=scope.department_id)
        return prefix_q("area_path", scope.area_path) if scope.area_path else NOTHING


class ReplyLog(TransitionLog):
    reply = models.ForeignKey(TaskReply, on_delete=models.CASCADE, related_name="log")

    class Meta(TransitionLog.Meta):
        verbose_name = _("任务填报记录")
        verbose_name_plural = _("任务填报记录")
