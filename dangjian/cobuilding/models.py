"""共驻共建: joint meetings (联席会议), covenants (契约化共建) and their visits, the liaisons' visits (包联/挂点),
estate governance (红色物业) and the matters all of them raise.

Meetings run on the meetings engine (`CoMeeting` owns one `meetings.Meeting` by its owner_key
"cobuilding.<kind>:<id>"); a matter raised anywhere ends in a case, a demand, a 民生微实事 proposal, a task
for a named unit (`UnitTask`, on core.workflow) or is closed with a reason (`integrity.py` proves it).
Schedule rules are data per district (`DistrictRules`, `LiaisonRule`, `EstateDutyItem`), with defaults.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import TransitionLog
from dangjian.core.scoping import NOTHING, Scope, ScopedManager, prefix_q
from dangjian.core.tree import STEP, PathCopyField
from dangjian.territory.models import Area, Estate
from dangjian.units.models import AdjunctMember, Department, ResidentUnit


def noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=timezone.get_current_timezone())


def area_q(scope: Scope, field: str = "area_path") -> Q:
    return prefix_q(field, scope.area_path) if scope.area_path else NOTHING


# -- rules (data per district) -------------------------------------------------------------------------
class DistrictRules(models.Model):
    """The schedule a district holds its co-building to (seed 001: monthly joint meetings at subdistrict
    and community, at least one visit a year each way); unsaved defaults when a district has none."""

    district = models.OneToOneField(
        Area,
        on_delete=models.CASCADE,
        related_name="cobuilding_rules",
        verbose_name=_("区"),
        limit_choices_to={"level": "district"},
    )
    district_meetings = models.PositiveSmallIntegerField(_("区级联席会议（次/年）"), default=4)
    subdistrict_meetings = models.PositiveSmallIntegerField(_("街道联席会议（次/年）"), default=12)
    community_meetings = models.PositiveSmallIntegerField(_("社区联席会议（次/年）"), default=12)
    unit_visits = models.PositiveSmallIntegerField(_("单位走访街道社区（次/年）"), default=1)
    area_visits = models.PositiveSmallIntegerField(_("街道社区走访单位（次/年）"), default=1)
    estate_meetings = models.PositiveSmallIntegerField(_("三方协调会议（次/年）"), default=4)
    matter_days = models.PositiveSmallIntegerField(_("议定事项转办时限（天）"), default=15)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("共建规则")
        verbose_name_plural = _("共建规则")

    def __str__(self) -> str:
        return str(self.district)

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return area_q(scope, "district__path")

    def meetings_due(self, level: str) -> int:
        return {"district": self.district_meetings, "subdistrict": self.subdistrict_meetings}.get(
            level, self.community_meetings
        )


class LiaisonRule(models.Model):
    """How often a liaison of a level visits (seed 003: weekly in the grid)."""

    district = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+", verbose_name=_("区"))
    level = models.CharField(_("包联层级"), max_length=16)
    every_days = models.PositiveSmallIntegerField(_("周期（天）"), default=7)
    visits = models.PositiveSmallIntegerField(_("每周期走访次数"), default=1)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("包联走访规则")
        verbose_name_plural = _("包联走访规则")
        constraints = [models.UniqueConstraint(fields=["district", "level"], name="cobuilding_liaison_rule_once")]

    def __str__(self) -> str:
        return f"{self.district} · {self.level}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return area_q(scope, "district__path")


class EstateDutyItem(models.Model):
    """小区党支部权责清单: one duty of an estate branch, per district (defaults from seed 000)."""

    district = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+", verbose_name=_("区"))
    position = models.PositiveSmallIntegerField(_("序号"), default=0)
    text = models.CharField(_("职责"), max_length=300)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("小区党支部权责事项")
        verbose_name_plural = _("小区党支部权责清单")
        ordering = ["district", "position", "pk"]

    def __str__(self) -> str:
        return self.text

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return area_q(scope, "district__path")


class AdjunctDuty(models.Model):
    """A duty of an adjunct member (兼职委员) of an expanded committee, as data."""

    member = models.ForeignKey(AdjunctMember, on_delete=models.CASCADE, related_name="cobuilding_duties")
    text = models.CharField(_("职责"), max_length=300)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("兼职委员职责")
        verbose_name_plural = _("兼职委员职责")
        ordering = ["member", "pk"]

    def __str__(self) -> str:
        return self.text

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return area_q(scope, "member__committee__area__path")


class ContributionKind(models.TextChoices):
    ROOM = "room", _("场地")
    VOLUNTEERS = "volunteers", _("志愿者")
    MONEY = "money", _("资金")
    PROJECT = "project", _("项目")
    OTHER = "other", _("其他")


class AdjunctContribution(models.Model):
    """What an adjunct member brought in a year: a resource or a project."""

    member = models.ForeignKey(AdjunctMember, on_delete=models.CASCADE, related_name="cobuilding_contributions")
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("类别"), max_length=16, choices=ContributionKind.choices)
    description = models.CharField(_("内容"), max_length=300)
    amount = models.DecimalField(_("数量/金额"), max_digits=12, decimal_places=2, default=0)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("兼职委员贡献")
        verbose_name_plural = _("兼职委员贡献")
        ordering = ["member", "-year", "pk"]

    def __str__(self) -> str:
        return self.description

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return area_q(scope, "member__committee__area__path")


# -- joint boards and meetings -------------------------------------------------------------------------
class JointBoard(models.Model):
    """联席会议: the standing board of a district, subdistrict or community, with its member units."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("属地"))
    area_path = PathCopyField(db_index=True, editable=False)
    level = models.CharField(_("层级"), max_length=16, editable=False)
    name = models.CharField(_("名称"), max_length=150)
    convener = models.CharField(_("召集人"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("联席会议")
        verbose_name_plural = _("联席会议")
        ordering = ["area_path", "pk"]
        constraints = [models.UniqueConstraint(fields=["area"], name="cobuilding_board_one_per_area")]
        indexes = [models.Index(fields=["area_path", "id"], name="cobuilding_board_scope")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.area_path = self.area.path
        self.level = self.area.level
        super().save(*args, **kwargs)

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return area_q(scope)


class BoardMember(models.Model):
    """A member unit (or department, or office by name) of a joint board and its representative."""

    board = models.ForeignKey(JointBoard, on_delete=models.CASCADE, related_name="members")
    unit = models.ForeignKey(
        ResidentUnit, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("成员单位")
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("职能部门")
    )
    org_name = models.CharField(_("单位名称"), max_length=150)
    representative = models.CharField(_("代表"), max_length=50)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_active = models.BooleanField(_("在册"), default=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("联席会议成员单位")
        verbose_name_plural = _("联席会议成员单位")
        ordering = ["board", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["board", "unit"],
                condition=Q(unit__isnull=False, is_active=True),
                name="cobuilding_member_unit_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.org_name} · {self.representative}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.unit_id:
            return Q(unit_id=scope.unit_id)
        return area_q(scope, "board__area_path")


class MeetingKind(models.TextChoices):
    JOINT = "joint", _("联席会议")
    ESTATE = "estate", _("三方协调会议")
    COMMITTEE = "committee", _("大党委会议")


class CoMeeting(models.Model):
    """One meeting of co-building, run by the meetings engine (`meeting`)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("类别"), max_length=16, choices=MeetingKind.choices)
    board = models.ForeignKey(JointBoard, null=True, blank=True, on_delete=models.PROTECT, related_name="meetings")
    estate = models.ForeignKey(
        "EstateGovernance", null=True, blank=True, on_delete=models.PROTECT, related_name="meetings"
    )
    committee = models.ForeignKey(
        "orgs.PartyOrg", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("大党委")
    )
    meeting = models.OneToOneField("meetings.Meeting", on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    area_path = PathCopyField(editable=False)
    starts_at = models.DateTimeField(_("会议时间"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("共建会议")
        verbose_name_plural = _("共建会议")
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["area_path", "starts_at", "id"], name="cobuilding_meeting_scope"),
            models.Index(fields=["board", "starts_at"], name="cobuilding_meeting_board"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="joint", board__isnull=False)
                | Q(kind="estate", estate__isnull=False)
                | Q(kind="committee", committee__isnull=False),
                name="cobuilding_meeting_owner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        self.area_path = self.area.path
        super().save(*args, **kwargs)

    @property
    def owner_key(self) -> str:
        return f"cobuilding.{self.kind}:{self.pk}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return area_q(scope)


class Seat(models.Model):
    """Which unit (or adjunct member) a line of a meeting's roster stands for: attendance per unit."""

    comeeting = models.ForeignKey(CoMeeting, on_delete=models.CASCADE, related_name="seats")
    attendee = models.OneToOneField("meetings.Attendee", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(ResidentUnit, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    adjunct = models.ForeignKey(AdjunctMember, null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["unit", "comeeting"], name="cobuilding_seat_unit")]

    def __str__(self) -> str:
        return f"{self.comeeting_id} · {self.attendee_id}"


# -- covenants and visits ------------------------------------------------------------------------------
class Covenant(models.Model):
    """契约化共建: a covenant between a community or subdistrict and a resident unit, with its obligations."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("街道/社区"))
    area_path = PathCopyField(editable=False)
    unit = models.ForeignKey(
        ResidentUnit, on_delete=models.PROTECT, related_name="covenants", verbose_name=_("共建单位")
    )
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("截止日期"))
    meetings = models.PositiveSmallIntegerField(_("参加联席会议（次/年）"), default=0)
    unit_visits = models.PositiveSmallIntegerField(_("单位走访（次/年）"), default=1)
    area_visits = models.PositiveSmallIntegerField(_("走访单位（次/年）"), default=1)
    projects = models.PositiveSmallIntegerField(_("认领项目（个/年）"), default=0)
    hours = models.PositiveIntegerField(_("党员志愿服务（小时/年）"), default=0)
    note = models.TextField(_("备注（原共建约定）"), blank=True)
    membership = models.OneToOneField(
        "units.AllianceMembership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("共建契约")
        verbose_name_plural = _("共建契约")
        ordering = ["area_path", "id"]
        indexes = [models.Index(fields=["area_path", "id"], name="cobuilding_covenant_scope")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="cobuilding_covenant_term")
        ]

    def __str__(self) -> str:
        return f"{self.area} · {self.unit}"

    def save(self, *args, **kwargs):
        self.area_path = self.area.path
        super().save(*args, **kwargs)

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.unit_id:
            return Q(unit_id=scope.unit_id)
        return area_q(scope)


class Resource(models.Model):
    """A resource a covenant's unit offers: rooms, volunteers, money, with amounts."""

    covenant = models.ForeignKey(Covenant, on_delete=models.CASCADE, related_name="resources")
    kind = models.CharField(_("类别"), max_length=16, choices=ContributionKind.choices)
    description = models.CharField(_("内容"), max_length=200)
    amount = models.DecimalField(_("数量/金额"), max_digits=12, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("共建资源")
        verbose_name_plural = _("共建资源")
        ordering = ["covenant", "pk"]

    def __str__(self) -> str:
        return self.description


class Direction(models.TextChoices):
    UNIT_TO_AREA = "in", _("单位走访街道社区")
    AREA_TO_UNIT = "out", _("街道社区走访单位")


class Visit(models.Model):
    """A visit between a unit and a subdistrict or community, either way."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    direction = models.CharField(_("方向"), max_length=4, choices=Direction.choices)
    covenant = models.ForeignKey(Covenant, null=True, blank=True, on_delete=models.SET_NULL, related_name="visits")
    unit = models.ForeignKey(ResidentUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("单位"))
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("街道/社区"))
    area_path = PathCopyField(editable=False)
    visited_on = models.DateField(_("走访日期"))
    # The visit day at noon, local time: the figures store's cohort (a datetime), kept by save().
    visited_at = models.DateTimeField(null=True, editable=False, db_index=True)
    visitor = models.CharField(_("走访人"), max_length=100)
    hosts = models.CharField(_("接待人"), max_length=100, blank=True)
    discussed = models.TextField(_("交流内容"), blank=True)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("共建走访")
        verbose_name_plural = _("共建走访")
        ordering = ["-visited_on", "-id"]
        indexes = [
            models.Index(fields=["area_path", "visited_on", "id"], name="cobuilding_visit_scope"),
            models.Index(fields=["unit", "visited_on"], name="cobuilding_visit_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.visitor} {self.visited_on}"

    def save(self, *args, **kwargs):
        self.area_path = self.area.path
        self.visited_at = noon(self.visited_on)
        super().save(*args, **kwargs)

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.unit_id:
            return Q(unit_id=scope.unit_id)
        return area_q(scope)


# -- liaisons ------------------------------------------------------------------------------------------
class LiaisonVisit(models.Model):
    """A liaison's visit to their grid, community or estate, checked in on the phone with a location."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    liaison = models.ForeignKey("people.Liaison", on_delete=models.PROTECT, related_name="cobuilding_visits")
    area_path = PathCopyField(editable=False)
    visited_at = models.DateTimeField(_("签到时间"))
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    notes = models.TextField(_("走访情况"), blank=True)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScopedManager()

    class Meta:
        verbose_name = _("包联走访")
        verbose_name_plural = _("包联走访")
        ordering = ["-visited_at", "-id"]
        indexes = [
            models.Index(fields=["liaison", "visited_at"], name="cobuilding_lvisit_liaison"),
            models.Index(fields=["area_path", "visited_at", "id"], name="cobuilding_lvisit_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.liaison} {self.visited_at:%Y-%m-%d}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.user_id:
            return Q(liaison__user_id=scope.user_id)
        return area_q(scope)


class GroupMember(models.Model):
    """组团: a deputy, a committee member or a cadre who visits with a liaison."""

    liaison = models.ForeignKey("people.Liaison", on_delete=models.CASCADE, related_name="cobuilding_group")
    name = models.CharField(_("姓名"), max_length=50)
    role = models.CharField(_("身份"), max_length=50)  # 人大代表, 政协委员, 机关干部

    class Meta:
        verbose_name = _("组团成员")
        verbose_name_plural = _("组团成员")
        ordering = ["liaison", "pk"]

    def __str__(self) -> str:
        return self.name


# -- estates -------------------------------------------------------------------------------------------
class PropertyCompany(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("区"))
    name = models.CharField(_("物业服务企业"), max_length=150)
    branch = models.ForeignKey(
        "orgs.PartyOrg",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("企业党组织"),
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("物业服务企业")
        verbose_name_plural = _("物业服务企业")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["district", "name"], name="cobuilding_company_unique")]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        # A company serves estates across the district: anyone in the district reads it.
        if scope.area_path:
            return prefix_q("district__path", scope.area_path[:STEP])
        return NOTHING


class ManagementMode(models.TextChoices):
    COMPANY = "company", _("物业企业管理")
    UNIT = "unit", _("单位包管")
    RESIDENTS = "residents", _("居民自管")
    INTRODUCED = "introduced", _("引入物管")
    COMMUNITY = "community", _("社区代管")


# 五有: the checklist of an estate without a property company (seed 001: 有卫生保洁、有绿化养护、有物业维修、
# 有停车管理、有治安防范).
FIVE_HAVES = (
    ("has_cleaning", _("有卫生保洁")),
    ("has_greening", _("有绿化养护")),
    ("has_repair", _("有物业维修")),
    ("has_parking", _("有停车管理")),
    ("has_security", _("有治安防范")),
)


class EstateGovernance(models.Model):
    """红色物业: how one estate is governed: its branch, owners' committee and property company."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    estate = models.OneToOneField(Estate, on_delete=models.CASCADE, related_name="governance")
    area_path = PathCopyField(editable=False)
    mode = models.CharField(_("管理方式"), max_length=16, choices=ManagementMode.choices)
    company = models.ForeignKey(
        PropertyCompany,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="estates",
        verbose_name=_("物业服务企业"),
    )
    branch = models.ForeignKey(
        "orgs.PartyOrg",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("小区党支部"),
    )
    owners_committee = models.CharField(_("业主委员会"), max_length=150, blank=True)
    committee_party_members = models.PositiveSmallIntegerField(_("业委会党员人数"), default=0)
    committee_size = models.PositiveSmallIntegerField(_("业委会人数"), default=0)
    # 业委会党组织: the owners' committee has a Party organization (organizational coverage, seed 000).
    committee_has_org = models.BooleanField(_("业委会建有党组织"), default=False)
    has_cleaning = models.BooleanField(_("有卫生保洁"), default=False)
    has_greening = models.BooleanField(_("有绿化养护"), default=False)
    has_repair = models.BooleanField(_("有物业维修"), default=False)
    has_parking = models.BooleanField(_("有停车管理"), default=False)
    has_security = models.BooleanField(_("有治安防范"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("小区治理")
        verbose_name_plural = _("小区治理")
        ordering = ["area_path", "id"]
        indexes = [models.Index(fields=["area_path", "id"], name="cobuilding_estate_scope")]
        constraints = [
            models.CheckConstraint(
                condition=Q(mode="company", company__isnull=False) | (~Q(mode="company") & Q(company__isnull=True)),
                name="cobuilding_estate_company_mode",
            )
        ]

    def __str__(self) -> str:
        return str(self.estate)

    def save(self, *args, **kwargs):
        self.area_path = self.estate.community.path
        super().save(*args, **kwargs)

    @property
    def red_committee(self) -> bool:
        """红色业委会: an owners' committee with its own Party organization (organizational coverage)."""
        return bool(self.owners_committee) and self.committee_has_org

    @property
    def five_haves(self) -> list[tuple[str, bool]]:
        return [(str(label), getattr(self, key)) for key, label in FIVE_HAVES]

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return area_q(scope)


# -- matters and tasks ---------------------------------------------------------------------------------
class Outcome(models.TextChoices):
    OPEN = "open", _("待转办")
    CASE = "case", _("转为事件")
    DEMAND = "demand", _("转为需求")
    PROJECT = "project", _("转为微实事项目")
    TASK = "task", _("交办成员单位")
    CLOSED = "closed", _("说明理由后办结")


# The key `matter_to_case` sets in `cases.Case.attributes` (the matter's public id): the step receiver
# re-records matters only for cases that carry it or came through 挂点收集 (receivers.py).
MATTER_KEY = "cobuilding_matter"


class Matter(models.Model):
    """A matter raised at a meeting, on a visit or on a liaison's visit: never lost (integrity.py)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("属地"))
    area_path = PathCopyField(editable=False)
    title = models.CharField(_("事项"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    comeeting = models.ForeignKey(CoMeeting, null=True, blank=True, on_delete=models.PROTECT, related_name="matters")
    visit = models.ForeignKey(Visit, null=True, blank=True, on_delete=models.PROTECT, related_name="matters")
    # A problem a liaison collected on a visit (挂点收集): filed as a case at once, the liaison named on it.
    liaison_visit = models.ForeignKey(
        LiaisonVisit, null=True, blank=True, on_delete=models.PROTECT, related_name="problems"
    )
    liaison = models.ForeignKey("people.Liaison", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(_("提出时间"))
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(_("去向"), max_length=12, choices=Outcome.choices, default=Outcome.OPEN)
    target_id = models.UUIDField(_("去向编号"), null=True, blank=True, db_index=True)
    reason = models.CharField(_("办结理由"), max_length=300, blank=True)
    routed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("议定事项")
        verbose_name_plural = _("议定事项")
        ordering = ["-raised_at", "-id"]
        indexes = [
            models.Index(fields=["area_path", "raised_at", "id"], name="cobuilding_matter_scope"),
            models.Index(fields=["liaison", "raised_at"], name="cobuilding_matter_liaison"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(comeeting__isnull=False, visit__isnull=True, liaison_visit__isnull=True)
                | Q(comeeting__isnull=True, visit__isnull=False, liaison_visit__isnull=True)
                | Q(comeeting__isnull=True, visit__isnull=True, liaison_visit__isnull=False, liaison__isnull=False),
                name="cobuilding_matter_one_source",
            ),
            models.CheckConstraint(
                condition=Q(outcome="open", target_id__isnull=True)
                | Q(outcome="closed", target_id__isnull=True) & ~Q(reason="")
                | Q(outcome__in=["case", "demand", "project", "task"], target_id__isnull=False),
                name="cobuilding_matter_outcome",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.area_path = self.area.path
        super().save(*args, **kwargs)

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.user_id:
            return Q(liaison__user_id=scope.user_id)
        return area_q(scope)

    @property
    def source(self) -> str:
        return "meeting" if self.comeeting_id else "visit" if self.visit_id else "liaison"


class TaskStatus(models.TextChoices):
    ASSIGNED = "assigned", _("已交办")
    ACCEPTED = "accepted", _("办理中")
    REPORTED = "reported", _("已反馈")
    DONE = "done", _("已办结")
    CANCELLED = "cancelled", _("已撤销")


class UnitTask(models.Model):
    """A matter handed to a named member unit with a deadline, followed to its end (workflow.py)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    matter = models.OneToOneField(Matter, on_delete=models.PROTECT, related_name="task")
    unit = models.ForeignKey(ResidentUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("承办单位"))
    area_path = PathCopyField(editable=False)
    title = models.CharField(_("任务"), max_length=200)
    due_on = models.DateField(_("办理时限"))
    status = models.CharField(_("状态"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.ASSIGNED)
    report = models.TextField(_("办理情况"), blank=True)
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("交办任务")
        verbose_name_plural = _("交办任务")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["area_path", "due_on", "id"], name="cobuilding_task_scope"),
            models.Index(fields=["unit", "due_on", "id"], name="cobuilding_task_unit"),
        ]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.unit_id:
            return Q(unit_id=scope.unit_id)
        return area_q(scope)


class UnitTaskLog(TransitionLog):
    task = models.ForeignKey(UnitTask, on_delete=models.CASCADE, related_name="log")

    class Meta(TransitionLog.Meta):
        verbose_name = _("交办任务记录")
