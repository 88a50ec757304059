"""党群服务中心: the network of service centres, their rooms and bookings, activities and sign-ups,
the standards they are measured against, and the settings of the ten-minute circle."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import DistrictListItem, TransitionLog
from dangjian.core.scoping import NOTHING, Scope, ScopedManager, prefix_q
from dangjian.orgs.models import PartyOrg
from dangjian.territory.models import Area, Estate
from dangjian.units.models import ResidentUnit

from .permissions import MANAGE_ROLES

# Who manages centres, rooms and activities in their territory, approves bookings and plans the circle.


class CenterLevel(models.TextChoices):
    DISTRICT = "district", _("区级")
    SUBDISTRICT = "subdistrict", _("街道（镇）级")
    COMMUNITY = "community", _("社区级")
    ESTATE = "estate", _("小区级")
    PARK = "park", _("园区/楼宇")
    OTHER = "other", _("其他")


# The built-in levels' names (the defaults of CenterLevelOption), shown without a query.
LEVEL_LABELS = {level.value: str(level.label) for level in CenterLevel}


class CenterLevelOption(DistrictListItem):
    """中心层级 as data: the built-in levels are the defaults; a district adds its own (seed 001's five
    levels start at a 市级 centre: code `city`)."""

    district = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="center_levels",
        verbose_name=_("区"),
        limit_choices_to={"level": "district"},
    )

    objects = ScopedManager()

    class Meta(DistrictListItem.Meta):
        verbose_name = _("中心层级")
        verbose_name_plural = _("中心层级")
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(district__isnull=True), name="centers_level_default_code"
            ),
            models.UniqueConstraint(fields=["district", "code"], name="centers_level_district_code"),
        ]


class FunctionArea(models.TextChoices):
    """The services a centre's function areas offer (功能区)."""

    PARTY_ACTIVITY = "party_activity", _("党员活动")
    PARTY_SCHOOL = "party_school", _("党校分教点")
    GOVERNMENT = "government", _("政务服务")
    MEDIATION = "mediation", _("矛盾调解")
    SOCIAL_SECURITY = "social_security", _("社会保障")
    CIVIL_AFFAIRS = "civil_affairs", _("民政服务")
    HEALTH = "health", _("卫生计生服务")
    DELIBERATION = "deliberation", _("议事协商")
    VOLUNTEER = "volunteer", _("志愿服务")
    CULTURE = "culture", _("文体活动")
    READING = "reading", _("图书阅览")
    ELDERLY = "elderly", _("日间照料")
    CHILDREN = "children", _("四点半课堂")


class Norm(models.TextChoices):
    """四个规范: the four norms every centre is checked against."""

    PLANNING = "planning", _("规范规划建设")
    FUNCTIONS = "functions", _("规范功能设置")
    SIGNAGE = "signage", _("规范标识标牌")
    MANAGEMENT = "management", _("规范管理制度")


class CenterStandard(models.Model):
    """The standard of one level: minimum floor area and the function areas it must have.

    Defaults follow the seeds (estates ≥ 300 m², communities ≥ 500 m²); a district edits them.
    """

    level = models.CharField(_("层级"), max_length=32, unique=True)  # a CenterLevelOption code
    min_area = models.PositiveIntegerField(_("最小面积（平方米）"), default=0)
    required_functions = models.JSONField(_("必备功能区"), default=list, blank=True)

    class Meta:
        verbose_name = _("阵地建设标准")
        verbose_name_plural = _("阵地建设标准")
        ordering = ["level"]

    def __str__(self) -> str:
        return str(self.get_level_display())

    def get_level_display(self) -> str:
        return CenterLevelOption.label_of(self.level, LEVEL_LABELS)


class CircleSettings(models.Model):
    """The ten-minute circle's parameters for one district (data, not constants)."""

    district = models.OneToOneField(
        Area,
        on_delete=models.CASCADE,
        related_name="circle_settings",
        verbose_name=_("区"),
        limit_choices_to={"level": "district"},
    )
    minutes = models.PositiveSmallIntegerField(_("步行时间（分钟）"), default=10)
    detour_factor = models.FloatField(_("绕行系数"), default=1.3)
    walk_speed = models.FloatField(_("步行速度（米/分钟）"), default=75.0)
    persons_per_household = models.FloatField(_("户均人口"), default=2.6)

    class Meta:
        verbose_name = _("十分钟服务圈参数")
        verbose_name_plural = _("十分钟服务圈参数")
        constraints = [
            models.CheckConstraint(condition=Q(detour_factor__gte=1), name="centers_circle_detour_ge_1"),
            models.CheckConstraint(condition=Q(walk_speed__gt=0), name="centers_circle_speed_positive"),
            models.CheckConstraint(condition=Q(minutes__gt=0), name="centers_circle_minutes_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.district} · {self.minutes} 分钟"


class ServiceCenter(models.Model):
    """党群服务中心 at any of the levels. Its listing (services, hours, place) is public information."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("名称"), max_length=100)
    pinyin = models.CharField(_("拼音首字母"), max_length=200, blank=True, editable=False)
    level = models.CharField(_("层级"), max_length=32)  # a CenterLevelOption code
    # The territory node it serves and is managed from (district, subdistrict or community).
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="service_centers", verbose_name=_("所属属地"))
    estate = models.ForeignKey(
        Estate,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_centers",
        verbose_name=_("所在小区"),
    )
    org = models.ForeignKey(
        PartyOrg,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_centers",
        verbose_name=_("运营党组织"),
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    lat = models.FloatField(_("纬度"))
    lng = models.FloatField(_("经度"))
    floor_area = models.PositiveIntegerField(_("面积（平方米）"), default=0)
    functions = models.JSONField(_("功能区"), default=list, blank=True)
    norms = models.JSONField(_("四个规范"), default=dict, blank=True)  # {norm code: true when met}
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)  # the centre's desk, not a person's mobile
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    # Photos as a list of image URLs for now (no uploads yet).
    photo_urls = models.JSONField(_("照片链接"), default=list, blank=True)
    description = models.TextField(_("简介"), blank=True)
    is_active = models.BooleanField(_("开放中"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("党群服务中心")
        verbose_name_plural = _("党群服务中心")
        ordering = ["area__path", "level", "name"]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="centers_center_unique_name"),
            models.CheckConstraint(
                condition=Q(lat__gte=-90, lat__lte=90, lng__gte=-180, lng__lte=180), name="centers_center_point_valid"
            ),
        ]
        indexes = [models.Index(fields=["pinyin"], name="centers_center_pinyin")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("centers:detail", args=[self.public_id])

    def get_level_display(self) -> str:
        return CenterLevelOption.label_of(self.level, LEVEL_LABELS)

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        # Managers see the centres of their territory; everyone else the public listing.
        if scope.role in MANAGE_ROLES and scope.area_path:
            return prefix_q("area__path", scope.area_path)
        if scope.role:
            return Q(is_active=True)
        return NOTHING


class OpeningHours(models.Model):
    """One opening interval on one weekday (a day may have several: morning and afternoon)."""

    center = models.ForeignKey(
        ServiceCenter, on_delete=models.CASCADE, related_name="hours", verbose_name=_("服务中心")
    )
    weekday = models.PositiveSmallIntegerField(_("星期"), choices=[(i, i) for i in range(7)])  # 0 Monday
    opens = models.TimeField(_("开放"))
    closes = models.TimeField(_("关闭"))

    class Meta:
        verbose_name = _("开放时间")
        verbose_name_plural = _("开放时间")
        ordering = ["center_id", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=Q(closes__gt=models.F("opens")), name="centers_hours_closes_after_opens"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="centers_hours_weekday_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.weekday} {self.opens:%H:%M}–{self.closes:%H:%M}"


class ClosedDay(models.Model):
    """A date the centre is closed (holidays, maintenance)."""

    center = models.ForeignKey(
        ServiceCenter, on_delete=models.CASCADE, related_name="closed_days", verbose_name=_("服务中心")
    )
    date = models.DateField(_("日期"))
    reason = models.CharField(_("原因"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("闭馆日")
        verbose_name_plural = _("闭馆日")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["center", "date"], name="centers_closed_day_unique")]

    def __str__(self) -> str:
        return f"{self.date} {self.reason}"


class Room(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    center = models.ForeignKey(
        ServiceCenter, on_delete=models.CASCADE, related_name="rooms", verbose_name=_("服务中心")
    )
    name = models.CharField(_("名称"), max_length=50)
    capacity = models.PositiveIntegerField(_("容纳人数"), default=20)
    equipment = models.CharField(_("设备"), max_length=200, blank=True)
    requires_approval = models.BooleanField(_("预约需审批"), default=False)
    is_active = models.BooleanField(_("可预约"), default=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("功能室")
        verbose_name_plural = _("功能室")
        ordering = ["center_id", "name"]
        constraints = [models.UniqueConstraint(fields=["center", "name"], name="centers_room_unique_name")]

    def __str__(self) -> str:
        return f"{self.center.name} · {self.name}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.role in MANAGE_ROLES and scope.area_path:
            return prefix_q("center__area__path", scope.area_path)
        if scope.role:
            return Q(is_active=True, center__is_active=True)
        return NOTHING


class BookerKind(models.TextChoices):
    RESIDENT = "resident", _("居民")
    MEMBER = "member", _("党员")
    UNIT = "unit", _("驻区单位")
    ORG = "org", _("党组织")


class BookingStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已预约")
    REJECTED = "rejected", _("未通过")
    CANCELLED = "cancelled", _("已取消")


class Booking(models.Model):
    """A room booked for a time. Its time is held by BookingSlot rows (see there) while pending or approved."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("功能室"))
    # Empty when the system booked it (an activity published by the demo or an import).
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="room_bookings",
        verbose_name=_("预约人"),
    )
    booker_kind = models.CharField(_("预约方"), max_length=16, choices=BookerKind.choices)
    unit = models.ForeignKey(ResidentUnit, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("单位"))
    org = models.ForeignKey(PartyOrg, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("党组织"))
    purpose = models.CharField(_("用途"), max_length=200)
    attendees = models.PositiveIntegerField(_("人数"), default=1)
    start = models.DateTimeField(_("开始"))
    end = models.DateTimeField(_("结束"))
    status = models.CharField(_("状态"), max_length=16, choices=BookingStatus.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("功能室预约")
        verbose_name_plural = _("功能室预约")
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="centers_booking_end_after_start")
        ]
        indexes = [models.Index(fields=["room", "start"], name="centers_booking_room_start")]

    def __str__(self) -> str:
        return f"{self.room.name} {self.start:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("centers:booking_detail", args=[self.public_id])

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.role in MANAGE_ROLES and scope.area_path:
            return prefix_q("room__center__area__path", scope.area_path)
        if scope.user_id:
            return Q(booked_by_id=scope.user_id)
        if scope.unit_id:
            return Q(unit_id=scope.unit_id)
        return NOTHING


class BookingSlot(models.Model):
    """One fixed slot (SLOT_MINUTES long) of a room held by a booking.

    The unique (room, slot_start) makes a double booking impossible in the database on SQLite and
    PostgreSQL alike, also for two requests at the same instant: the second insert fails. The slots
    are written in the booking's transaction and deleted when it is cancelled or rejected.
    """

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="slots")
    slot_start = models.DateTimeField()
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="slots")

    class Meta:
        verbose_name = _("预约时段")
        verbose_name_plural = _("预约时段")
        constraints = [models.UniqueConstraint(fields=["room", "slot_start"], name="centers_slot_no_double_booking")]

    def __str__(self) -> str:
        return f"{self.room_id} {self.slot_start:%Y-%m-%d %H:%M}"


class BookingLog(TransitionLog):
    """One step of a booking's workflow (centers/workflow.py): who, when, which step, from, to, note."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="log")

    class Meta(TransitionLog.Meta):
        verbose_name = _("预约流转记录")
        verbose_name_plural = _("预约流转记录")

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class ActivityKind(models.TextChoices):
    PARTY_LECTURE = "party_lecture", _("党课")
    PUBLIC_CLASS = "public_class", _("公益课堂")
    STUDY = "study", _("学习会")
    CULTURE = "culture", _("文体活动")
    VOLUNTEER = "volunteer", _("志愿服务")
    DELIBERATION = "deliberation", _("议事协商")
    OTHER = "other", _("其他")


class ActivityStatus(models.TextChoices):
    PUBLISHED = "published", _("报名中")
    CANCELLED = "cancelled", _("已取消")


class Activity(models.Model):
    """An activity anyone may sign up for: a Party lecture, a class, a study session, volunteering...

    Generic on purpose: the volunteering service loop reuses it (kind=volunteer, without a centre).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("类型"), max_length=32, choices=ActivityKind.choices)
    title = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("内容"), blank=True)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="activities", verbose_name=_("所属属地"))
    center = models.ForeignKey(
        ServiceCenter,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("服务中心"),
    )
    room = models.ForeignKey(
        Room, null=True, blank=True, on_delete=models.PROTECT, related_name="activities", verbose_name=_("功能室")
    )
    # The room's time, held as an approved booking when the activity uses a room.
    booking = models.OneToOneField(Booking, null=True, blank=True, on_delete=models.SET_NULL, related_name="activity")
    place = models.CharField(_("地点"), max_length=200, blank=True)
    start = models.DateTimeField(_("开始"))
    end = models.DateTimeField(_("结束"))
    capacity = models.PositiveIntegerField(_("名额"), null=True, blank=True)  # empty: no limit
    organizer_org = models.ForeignKey(
        PartyOrg,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("主办党组织"),
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=ActivityStatus.choices, default=ActivityStatus.PUBLISHED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="centers_activity_end_after_start"),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gt=0), name="centers_activity_capacity_positive"
            ),
        ]
        indexes = [models.Index(fields=["center", "start"], name="centers_activity_center_start")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("centers:activity_detail", args=[self.public_id])

    @property
    def where(self) -> str:
        parts = [self.center.name if self.center else "", self.room.name if self.room else "", self.place]
        return " · ".join(p for p in parts if p)

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.role in MANAGE_ROLES and scope.area_path:
            return prefix_q("area__path", scope.area_path)
        if scope.role:
            return Q(status=ActivityStatus.PUBLISHED)
        return NOTHING


class SignUpStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("已报名")
    WAITLISTED = "waitlisted", _("候补")
    CANCELLED = "cancelled", _("已取消")
    ATTENDED = "attended", _("已签到")


class SignUp(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups", verbose_name=_("活动"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signups", verbose_name=_("报名人")
    )
    status = models.CharField(_("状态"), max_length=16, choices=SignUpStatus.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    # Waiting-list order: the time of the sign-up (ties by pk).
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("活动报名")
        verbose_name_plural = _("活动报名")
        ordering = ["created_at", "pk"]
        constraints = [
            # One live sign-up per person and activity (a cancelled one may be followed by a new one).
            models.UniqueConstraint(
                fields=["activity", "user"], condition=~Q(status="cancelled"), name="centers_signup_one_live_per_user"
            ),
            models.CheckConstraint(
                condition=Q(checked_in_at__isnull=True) | Q(status="attended"), name="centers_signup_checkin_attended"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity} · {self.user}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.role in MANAGE_ROLES and scope.area_path:
            return prefix_q("activity__area__path", scope.area_path)
        if scope.user_id:
            return Q(user_id=scope.user_id)
        return NOTHING
