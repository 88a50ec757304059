"""Residents' demands (群众点单、社区派单、党员接单): micro-wishes, family help and public needs.

A demand is accepted by its community, then published for members and units to claim or dispatched
to a named member, unit or team; whoever takes it does it and records it; the resident rates it
(or it closes itself after a configurable time); hours and points are credited then. Every step is
a DemandLog row; the workflow (its statuses' meaning, its steps and moves) is declared in workflow.py.
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
from dangjian.people.models import Member
from dangjian.registration.models import ServiceIntention
from dangjian.territory.models import Area, Building, Estate
from dangjian.units.models import ResidentUnit
from dangjian.volunteering.models import Team


class DemandKind(models.TextChoices):
    MICRO_WISH = "micro_wish", _("微心愿")
    FAMILY_HELP = "family_help", _("家庭帮扶")
    PUBLIC_NEED = "public_need", _("公共需求")


class DemandStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待受理")
    ACCEPTED = "accepted", _("已受理")
    DECLINED = "declined", _("未受理")
    PUBLISHED = "published", _("待认领")
    DISPATCHED = "dispatched", _("已派单")
    TAKEN = "taken", _("办理中")
    DONE = "done", _("已完成待评价")
    RATED = "rated", _("已评价")
    CLOSED = "closed", _("已关闭")  # done and not rated in time: closed by the system
    WITHDRAWN = "withdrawn", _("已撤回")


# The open and the served statuses as the indexes' conditions name them (workflow.py declares the
# meaning; tests/test_lists_cost.py checks these agree with OPEN_DEMAND_STATUSES and SERVED_STATUSES).
OPEN_STATUSES = sorted(
    (DemandStatus.SUBMITTED, DemandStatus.ACCEPTED, DemandStatus.PUBLISHED, DemandStatus.DISPATCHED, DemandStatus.TAKEN)
)
SERVED_STATUSES = sorted((DemandStatus.DONE, DemandStatus.RATED, DemandStatus.CLOSED))


class AssigneeKind(models.TextChoices):
    MEMBER = "member", _("党员")
    UNIT = "unit", _("驻区单位")
    TEAM = "team", _("志愿服务队")


class DemandPolicy(models.Model):
    """A district's demand rules, as data with defaults."""

    district = models.OneToOneField(Area, on_delete=models.CASCADE, related_name="demand_policy", verbose_name=_("区"))
    accept_within_hours = models.PositiveIntegerField(_("受理时限（小时）"), default=24)
    claim_within_hours = models.PositiveIntegerField(_("发布后认领时限（小时）"), default=72)
    take_within_hours = models.PositiveIntegerField(_("派单后接单时限（小时）"), default=24)
    do_within_days = models.PositiveIntegerField(_("接单后完成时限（天）"), default=7)
    escalate_after_hours = models.PositiveIntegerField(_("超时后上报社区书记（小时）"), default=24)
    auto_close_after_days = models.PositiveIntegerField(_("完成后未评价自动关闭（天）"), default=7)
    good_rating = models.PositiveSmallIntegerField(_("好评（星）"), default=4)

    class Meta:
        verbose_name = _("点单规则")
        verbose_name_plural = _("点单规则")

    def __str__(self) -> str:
        return str(self.district)


class NeedCategory(models.Model):
    """A kind of help a resident asks for (看病陪护、助听器与辅具……), with the member skills that meet it.

    Data with defaults: rows without a district are the defaults; a district that adds its own rows offers
    those instead. The skills are the registrants' service intentions, so the ranked suggestions can tell
    who is able to help.
    """

    district = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="need_categories",
        verbose_name=_("区"),
        limit_choices_to={"level": "district"},
    )
    name = models.CharField(_("名称"), max_length=30)
    skills = models.ManyToManyField(
        ServiceIntention, blank=True, related_name="need_categories", verbose_name=_("能满足此类需求的特长")
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("需求类别")
        verbose_name_plural = _("需求类别")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"], condition=Q(district__isnull=True), name="demands_need_default_name"
            ),
            models.UniqueConstraint(fields=["district", "name"], name="demands_need_district_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if not scope.area_path:
            return NOTHING
        return Q(district__isnull=True) | Q(district__path=scope.area_path[:STEP])


class Demand(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("类型"), max_length=12, choices=DemandKind.choices)
    category = models.ForeignKey(
        NeedCategory,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="demands",
        verbose_name=_("需求类别"),
    )
    title = models.CharField(_("标题"), max_length=100)
    description = models.TextField(_("内容"), max_length=2000, blank=True)
    needed_by = models.DateField(_("希望完成日期"), null=True, blank=True)
    # Where: the community always; estate, building and grid when known.
    community = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="demands", verbose_name=_("社区"))
    estate = models.ForeignKey(Estate, null=True, blank=True, on_delete=models.SET_NULL, related_name="demands")
    building = models.ForeignKey(Building, null=True, blank=True, on_delete=models.SET_NULL, related_name="demands")
    grid = models.ForeignKey(Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    area_path = PathCopyField(db_index=True)  # the deepest node known: scoping, rollups
    # Who asked (personal data: masked in lists).
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="demands"
    )
    requester_name = models.CharField(_("求助人"), max_length=50, blank=True)
    requester_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    # Hours the requester pays from their time bank (0: a free service; hours are then minted).
    bank_hours = models.DecimalField(_("支付时间币（小时）"), max_digits=6, decimal_places=1, default=0)
    status = models.CharField(_("状态"), max_length=12, choices=DemandStatus.choices, default=DemandStatus.SUBMITTED)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decline_reason = models.CharField(_("未受理原因"), max_length=300, blank=True)
    assignee_kind = models.CharField(_("承接方类型"), max_length=8, choices=AssigneeKind.choices, blank=True)
    assigned_member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.PROTECT, related_name="demands_taken"
    )
    assigned_user = models.ForeignKey(  # the member's (or team leader's) account, who acts on the phone
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="demands_taken"
    )
    assigned_unit = models.ForeignKey(
        ResidentUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="demands_taken"
    )
    assigned_team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="demands")
    # Times
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)  # indexed with id (Meta)
    accepted_at = models.DateTimeField(null=True, blank=True)
    assigned_at = models.DateTimeField(null=True, blank=True)  # published or dispatched
    taken_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    step_due_at = models.DateTimeField(null=True, blank=True, db_index=True)  # when the current step is late
    escalated_at = models.DateTimeField(null=True, blank=True)
    # Outcome
    done_note = models.TextField(_("完成情况"), blank=True)
    hours = models.DecimalField(_("服务时长（小时）"), max_digits=6, decimal_places=1, null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("评价（星）"), null=True, blank=True)
    rating_note = models.CharField(_("评价内容"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1)  # bumped on every step: no lost update
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("群众需求")
        verbose_name_plural = _("群众需求")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="demands_rating_1_to_5"
            ),
            models.CheckConstraint(condition=Q(bank_hours__gte=0), name="demands_bank_hours_not_negative"),
        ]
        indexes = [
            models.Index(fields=["area_path", "submitted_at"], name="demands_area_submitted"),
            models.Index(fields=["status", "step_due_at"], name="demands_status_due"),
            models.Index(fields=["assigned_member", "status"], name="demands_member_status"),
            models.Index(fields=["assigned_unit", "status"], name="demands_unit_status"),
            # The desk (selectors.desk_list, newest first): a community's tab, a wider scope's tab, a
            # community's and a wider scope's whole list; open demands (overdue, late, handling).
            # area_path rides along so a count reads the index only (PostgreSQL).
            models.Index(
                fields=["community", "status", "submitted_at", "id"], include=["area_path"], name="demands_c_st_sub"
            ),
            models.Index(fields=["status", "submitted_at", "id"], include=["area_path"], name="demands_st_sub"),
            models.Index(fields=["community", "submitted_at", "id"], include=["area_path"], name="demands_c_sub"),
            models.Index(fields=["submitted_at", "id"], include=["area_path"], name="demands_sub"),
            models.Index(
                fields=["community", "submitted_at", "id"],
                include=["area_path", "status", "step_due_at"],
                condition=Q(status__in=OPEN_STATUSES),
                name="demands_open_c_sub",
            ),
            models.Index(
                fields=["submitted_at", "id"],
                include=["area_path", "status", "step_due_at"],
                condition=Q(status__in=OPEN_STATUSES),
                name="demands_open_sub",
            ),
            # The five lists (lists.py): 服务清单 by done_at, 评价清单 by rated_at, per community.
            models.Index(
                fields=["community", "done_at", "id"], condition=Q(status__in=SERVED_STATUSES), name="demands_c_done"
            ),
            models.Index(
                fields=["community", "rated_at", "id"], condition=Q(rating__isnull=False), name="demands_c_rated"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("demands:detail", args=[self.public_id])

    @property
    def badge(self) -> str:
        """The status's badge (a `.dm-status-` modifier), as the workflow declares it."""
        from .workflow import DEMAND_FLOW  # the declaration is built on this model

        return DEMAND_FLOW.state(self.status).badge

    @property
    def awaits_rating(self) -> bool:
        """The requester may rate it now (the declaration's rate step starts from its status)."""
        from .workflow import DEMAND_FLOW, Step

        return DEMAND_FLOW.move(self.status, Step.RATE) is not None

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.area_path:
            return prefix_q("area_path", scope.area_path)
        if scope.unit_id:
            return Q(assigned_unit_id=scope.unit_id)
        if scope.user_id:
            # A resident sees their own demands; a member those given to them or their team.
            return (
                Q(requester_id=scope.user_id)
                | Q(assigned_user_id=scope.user_id)
                | Q(assigned_member__user_id=scope.user_id)
            )
        return NOTHING


class DemandLog(TransitionLog):
    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="log")

    class Meta(TransitionLog.Meta):
        verbose_name = _("需求办理记录")
        verbose_name_plural = _("需求办理记录")
        indexes = [models.Index(fields=["demand", "at"], name="demands_log_demand_at")]

    def __str__(self) -> str:
        return f"{self.demand_id} {self.step}"


class DemandPhoto(models.Model):
    class Stage(models.TextChoices):
        REQUEST = "request", _("求助")
        DONE = "done", _("完成")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="photos")
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.REQUEST)
    file = models.FileField(upload_to="demands/%Y/%m/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return str(self.public_id)
