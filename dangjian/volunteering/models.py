"""Volunteer teams (the five fixed service groups and free teams), their members, and what they do."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import NOTHING, Scope, ScopedManager, prefix_q
from dangjian.core.tree import PathCopyField
from dangjian.territory.models import Area


class FixedGroup(models.TextChoices):
    """The five fixed service groups of a community (seed 003)."""

    SAFETY = "safety", _("安全")
    HEALTH = "health", _("健康")
    CULTURE = "culture", _("文体")
    JUSTICE = "justice", _("司法")
    POLICE = "police", _("警务")


class Team(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("名称"), max_length=100)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="volunteer_teams", verbose_name=_("所属属地"))
    fixed_group = models.CharField(_("固定服务队"), max_length=12, choices=FixedGroup.choices, blank=True)
    description = models.CharField(_("简介"), max_length=300, blank=True)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_teams",
        verbose_name=_("队长"),
    )
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("志愿服务队")
        verbose_name_plural = _("志愿服务队")
        ordering = ["area__path", "fixed_group", "name"]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="volunteering_team_unique_name"),
            # One team per fixed group and community.
            models.UniqueConstraint(
                fields=["area", "fixed_group"], condition=~Q(fixed_group=""), name="volunteering_team_one_fixed_group"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.area_path:
            return prefix_q("area__path", scope.area_path)
        if scope.user_id:
            return Q(members__user_id=scope.user_id, members__left_at__isnull=True) | Q(leader_id=scope.user_id)
        return NOTHING


class TeamMember(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members", verbose_name=_("服务队"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="team_memberships", verbose_name=_("队员")
    )
    joined_at = models.DateTimeField(auto_now_add=True)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("服务队队员")
        verbose_name_plural = _("服务队队员")
        ordering = ["team", "joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "user"], condition=Q(left_at__isnull=True), name="volunteering_member_one_live"
            )
        ]

    def __str__(self) -> str:
        return f"{self.team} · {self.user}"


class VolunteerSettings(models.Model):
    """The check-in rules of one district (data with defaults; a district edits them)."""

    district = models.OneToOneField(
        Area,
        on_delete=models.CASCADE,
        related_name="volunteer_settings",
        verbose_name=_("区"),
        limit_choices_to={"level": "district"},
    )
    # The QR code on the worker's screen changes this often; a code stays valid for two periods.
    rotate_minutes = models.PositiveSmallIntegerField(_("二维码更新周期（分钟）"), default=10)
    early_minutes = models.PositiveSmallIntegerField(_("开始前可签到（分钟）"), default=30)
    late_minutes = models.PositiveSmallIntegerField(_("结束后可签退（分钟）"), default=60)

    class Meta:
        verbose_name = _("志愿服务签到规则")
        verbose_name_plural = _("志愿服务签到规则")
        constraints = [
            models.CheckConstraint(condition=Q(rotate_minutes__gt=0), name="volunteering_settings_rotate_positive")
        ]

    def __str__(self) -> str:
        return f"{self.district} · {self.rotate_minutes} 分钟"


class TeamActivity(models.Model):
    """A volunteer activity (centers.Activity, kind volunteer) run by a team."""

    activity = models.OneToOneField(
        "centers.Activity", on_delete=models.CASCADE, related_name="team_link", verbose_name=_("活动")
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="activities", verbose_name=_("服务队"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("服务队活动")
        verbose_name_plural = _("服务队活动")
        ordering = ["activity__start"]

    def __str__(self) -> str:
        return f"{self.team} · {self.activity_id}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.area_path:
            return prefix_q("team__area__path", scope.area_path)
        if scope.user_id:
            return Q(activity__status="published")
        return NOTHING


class ServicePost(models.Model):
    """党员志愿服务岗: a standing post (a reading room desk, a safety patrol...) staffed in shifts."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="service_posts", verbose_name=_("所属社区"))
    name = models.CharField(_("岗位名称"), max_length=100)
    place = models.CharField(_("地点"), max_length=200, blank=True)
    description = models.CharField(_("岗位职责"), max_length=500, blank=True)
    active = models.BooleanField(_("在岗"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("党员志愿服务岗")
        verbose_name_plural = _("党员志愿服务岗")
        ordering = ["area__path", "name"]
        constraints = [models.UniqueConstraint(fields=["area", "name"], name="volunteering_post_unique_name")]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.area_path:
            return prefix_q("area__path", scope.area_path)
        if scope.user_id:
            return Q(active=True)  # members and residents may serve at any open post
        return NOTHING


class Shift(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    post = models.ForeignKey(ServicePost, on_delete=models.CASCADE, related_name="shifts", verbose_name=_("岗位"))
    start = models.DateTimeField(_("开始"))
    end = models.DateTimeField(_("结束"))
    capacity = models.PositiveSmallIntegerField(_("人数"), default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("值守班次")
        verbose_name_plural = _("值守班次")
        ordering = ["start", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="volunteering_shift_end_after_start"),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="volunteering_shift_capacity_positive"),
        ]
        indexes = [models.Index(fields=["post", "start"], name="volunteering_shift_post_start")]

    def __str__(self) -> str:
        return f"{self.post} {self.start:%Y-%m-%d %H:%M}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return Q(post__in=ServicePost.objects.filter(ServicePost.scope_q(scope)))


class ShiftSignUpStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("已报名")
    CANCELLED = "cancelled", _("已取消")


class ShiftSignUp(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="signups", verbose_name=_("班次"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="shift_signups", verbose_name=_("报名人")
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=ShiftSignUpStatus.choices, default=ShiftSignUpStatus.CONFIRMED
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("班次报名")
        verbose_name_plural = _("班次报名")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "user"], condition=Q(status="confirmed"), name="volunteering_shift_one_live_signup"
            )
        ]

    def __str__(self) -> str:
        return f"{self.shift} · {self.user}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.area_path:
            return prefix_q("shift__post__area__path", scope.area_path)
        if scope.user_id:
            return Q(user_id=scope.user_id)
        return NOTHING


class AttendanceMethod(models.TextChoices):
    SCAN = "scan", _("扫码")
    MANUAL = "manual", _("人工")


class Attendance(models.Model):
    """One person's presence at an activity (per sign-up) or a post's shift: check-in, check-out, hours.

    Hours count only when verified (both scans, or a worker's correction); crediting them to the time bank
    and points is keyed by this row and its credit round, so retries credit once and a correction
    re-credits through reversing entries.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    signup = models.OneToOneField(
        "centers.SignUp", null=True, blank=True, on_delete=models.CASCADE, related_name="attendance"
    )
    shift_signup = models.OneToOneField(
        ShiftSignUp, null=True, blank=True, on_delete=models.CASCADE, related_name="attendance"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="volunteer_attendances",
        verbose_name=_("志愿者"),
    )
    # The community it counts for (the team's or the post's), for scoping and the time bank.
    community = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("社区"))
    area_path = PathCopyField(db_index=True, editable=False)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    method = models.CharField(_("方式"), max_length=8, choices=AttendanceMethod.choices, default=AttendanceMethod.SCAN)
    absent = models.BooleanField(_("缺席"), default=False)
    verified = models.BooleanField(_("已核实"), default=False)
    hours = models.DecimalField(_("服务时长（小时）"), max_digits=5, decimal_places=1, default=0)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    corrected_at = models.DateTimeField(null=True, blank=True)
    correction_note = models.CharField(_("更正原因"), max_length=300, blank=True)
    # What has been credited: the round (0 = never) and the hours of that round.
    credit_round = models.PositiveSmallIntegerField(default=0, editable=False)
    credited_hours = models.DecimalField(max_digits=5, decimal_places=1, default=0, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("签到记录")
        verbose_name_plural = _("签到记录")
        ordering = ["checked_in_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(signup__isnull=False) & Q(shift_signup__isnull=True))
                | (Q(signup__isnull=True) & Q(shift_signup__isnull=False)),
                name="volunteering_attendance_one_source",
            ),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True)
                | (Q(checked_in_at__isnull=False) & Q(checked_out_at__gte=models.F("checked_in_at"))),
                name="volunteering_attendance_out_after_in",
            ),
            models.CheckConstraint(condition=Q(hours__gte=0), name="volunteering_attendance_hours_not_negative"),
            models.CheckConstraint(
                condition=Q(verified=False) | Q(checked_out_at__isnull=False),
                name="volunteering_attendance_verified_has_times",
            ),
        ]
        indexes = [models.Index(fields=["user", "verified"], name="volunteering_att_user_verified")]

    def __str__(self) -> str:
        return f"{self.user} · {self.checked_in_at}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.area_path:
            return prefix_q("area_path", scope.area_path)
        if scope.user_id:
            return Q(user_id=scope.user_id)
        return NOTHING
