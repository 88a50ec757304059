import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import DistrictListItem
from dangjian.core.scoping import NOTHING, Scope, ScopedManager, prefix_q
from dangjian.core.tree import ancestor_paths
from dangjian.territory.models import Area


class UnitKind(models.TextChoices):
    AGENCY = "agency", _("机关")
    ENTERPRISE = "enterprise", _("非公企业")
    STATE_ENTERPRISE = "state_enterprise", _("国有企业")
    SOCIAL_ORGANIZATION = "social_organization", _("社会组织")
    SCHOOL = "school", _("学校")
    HOSPITAL = "hospital", _("医院")
    PROPERTY_COMPANY = "property_company", _("物业服务企业")
    OWNERS_COMMITTEE = "owners_committee", _("业委会")
    OTHER = "other", _("其他")


# New-sector organizations (两新组织): non-public enterprises and social organizations.
NEW_SECTOR_KINDS = [UnitKind.ENTERPRISE, UnitKind.SOCIAL_ORGANIZATION]


class UnitKindOption(DistrictListItem):
    """单位类型 as data: the built-in kinds above are the defaults (their codes carry the coverage rules:
    两新组织, 业委会, 物业); a district adds its own (律师事务所, 五类大型企业, 商圈/园区/行业党委挂靠单位...)."""

    district = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="unit_kinds",
        verbose_name=_("区"),
        limit_choices_to={"level": "district"},
    )

    objects = ScopedManager()

    class Meta(DistrictListItem.Meta):
        verbose_name = _("单位类型")
        verbose_name_plural = _("单位类型")
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(district__isnull=True), name="units_kind_default_code"
            ),
            models.UniqueConstraint(fields=["district", "code"], name="units_kind_district_code"),
        ]


class ResidentUnit(models.Model):
    """驻区单位: an agency, enterprise, school... located in a community.

    Its Party organization is `party_org`: its own (single formation: that org's `unit` is this
    unit) or a joint branch shared with other units (joint formation); empty when it has none.
    Work coverage without an organization comes from a Party-building instructor (党建指导员).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("名称"), max_length=150)
    pinyin = models.CharField(_("拼音首字母"), max_length=300, blank=True, editable=False)
    # A UnitKindOption code: the built-in UnitKind values or a district's own kinds.
    kind = models.CharField(_("类型"), max_length=32)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    community = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="units",
        verbose_name=_("所在社区"),
        limit_choices_to={"level": "community"},
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    staff_count = models.PositiveIntegerField(_("从业人员数"), default=0)
    # Party members working here, as the unit reports them (members on record may be fewer).
    member_count = models.PositiveIntegerField(_("党员人数"), default=0)
    party_org = models.ForeignKey(
        "orgs.PartyOrg",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="covered_units",
        verbose_name=_("所属党组织"),
    )
    instructor = models.CharField(_("党建指导员"), max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("驻区单位")
        verbose_name_plural = _("驻区单位")
        ordering = ["name"]
        # The unit list's order (selectors.UNIT_ORDER); a community's units by units_unit_unique_name.
        indexes = [models.Index(fields=["name", "id"], name="units_unit_name")]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="units_unit_unique_name"),
            models.UniqueConstraint(
                fields=["credit_code"], condition=~Q(credit_code=""), name="units_unit_credit_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_kind_display(self) -> str:
        return UnitKindOption.label_of(self.kind, {code: str(label) for code, label in UnitKind.choices})

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.unit_id:
            return Q(pk=scope.unit_id)
        return prefix_q("community__path", scope.area_path)


class DepartmentKind(models.TextChoices):
    POLICE = "police", _("公安")
    TRAFFIC_POLICE = "traffic_police", _("交警")
    FIRE = "fire", _("消防")
    MARKET_REGULATION = "market_regulation", _("市场监管")
    CITY_MANAGEMENT = "city_management", _("城管")
    SANITATION = "sanitation", _("环卫")
    CIVIL_AFFAIRS = "civil_affairs", _("民政")
    OTHER = "other", _("其他")


class Department(models.Model):
    """职能部门: a functional department serving a district or a subdistrict."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=32, choices=DepartmentKind.choices)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="departments", verbose_name=_("服务辖区"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("职能部门")
        verbose_name_plural = _("职能部门")
        ordering = ["area__path", "name"]
        constraints = [models.UniqueConstraint(fields=["area", "name"], name="units_department_unique_name")]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.department_id:
            return Q(pk=scope.department_id)
        if scope.area_path:
            # Departments serving the scope's subtree, and those serving an area above it.
            return prefix_q("area__path", scope.area_path) | Q(area__path__in=ancestor_paths(scope.area_path))
        return NOTHING


class CoverageRule(models.Model):
    """When a unit should have a Party organization: rules as data, one row per district."""

    district = models.OneToOneField(
        Area,
        on_delete=models.CASCADE,
        related_name="coverage_rule",
        verbose_name=_("区"),
        limit_choices_to={"level": "district"},
    )
    # 有 3 名以上党员的单位应单独组建党组织。
    min_members_for_single = models.PositiveSmallIntegerField(_("单独组建所需党员数"), default=3)
    # 30 人以上社会组织应实现党组织覆盖。
    min_staff_social_org = models.PositiveSmallIntegerField(_("应覆盖社会组织的从业人员数"), default=30)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("组建覆盖规则")
        verbose_name_plural = _("组建覆盖规则")

    def __str__(self) -> str:
        return str(self.district)

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return prefix_q("district__path", scope.area_path)


class AdjunctMember(models.Model):
    """兼职委员: someone from outside the committee sitting on an expanded committee.

    Expanded committees are wider than resident units (seeds 000, 002, 004): a community's 大党委 or a
    subdistrict's 大工委 (its 党工委) seats leaders of resident units, of functional departments (区直部门)
    and officials of the subdistrict office. Exactly one source is set: `unit`, `department` or `office`.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    committee = models.ForeignKey(
        "orgs.PartyOrg", on_delete=models.CASCADE, related_name="adjunct_members", verbose_name=_("大党委/大工委")
    )
    unit = models.ForeignKey(
        ResidentUnit,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="adjunct_members",
        verbose_name=_("驻区单位"),
    )
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="adjunct_members",
        verbose_name=_("职能部门"),
    )
    # A subdistrict office (街道办事处 or one of its 科室), by name: it is not a unit of its own here.
    office = models.CharField(_("街道（镇）机关"), max_length=100, blank=True)
    name = models.CharField(_("姓名"), max_length=50)
    post = models.CharField(_("单位职务"), max_length=100, blank=True)
    since = models.DateField(_("任职日期"), null=True, blank=True)
    is_active = models.BooleanField(_("在任"), default=True)
    ended_on = models.DateField(_("卸任日期"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("兼职委员")
        verbose_name_plural = _("兼职委员")
        ordering = ["committee_id", "name"]
        constraints = [
            # Two people adding the same person at once get one seat, not two.
            models.UniqueConstraint(
                fields=["committee", "unit", "name"],
                condition=Q(is_active=True, unit__isnull=False),
                name="units_adjunct_one_active_seat",
            ),
            models.UniqueConstraint(
                fields=["committee", "department", "name"],
                condition=Q(is_active=True, department__isnull=False),
                name="units_adjunct_one_active_dept_seat",
            ),
            models.UniqueConstraint(
                fields=["committee", "office", "name"],
                condition=Q(is_active=True) & ~Q(office=""),
                name="units_adjunct_one_active_office_seat",
            ),
            models.CheckConstraint(
                condition=Q(unit__isnull=False, department__isnull=True, office="")
                | Q(unit__isnull=True, department__isnull=False, office="")
                | (Q(unit__isnull=True, department__isnull=True) & ~Q(office="")),
                name="units_adjunct_one_source",
            ),
            models.CheckConstraint(
                condition=Q(is_active=True, ended_on__isnull=True) | Q(is_active=False),
                name="units_adjunct_active_not_ended",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.source_name}）"

    @property
    def source_name(self) -> str:
        """Where the member comes from: the unit's, the department's or the office's name."""
        if self.unit is not None:
            return self.unit.name
        if self.department is not None:
            return self.department.name
        return self.office

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return prefix_q("committee__area__path", scope.area_path)


class Alliance(models.Model):
    """区域党建联盟: a party-building alliance led by an organization, with member units."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("名称"), max_length=150)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="alliances", verbose_name=_("所在属地"))
    lead_org = models.ForeignKey(
        "orgs.PartyOrg", on_delete=models.PROTECT, related_name="led_alliances", verbose_name=_("牵头党组织")
    )
    units = models.ManyToManyField(ResidentUnit, through="AllianceMembership", related_name="alliances")
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("党建联盟")
        verbose_name_plural = _("党建联盟")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return prefix_q("area__path", scope.area_path)


class AllianceMembership(models.Model):
    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("联盟"))
    unit = models.ForeignKey(
        ResidentUnit, on_delete=models.CASCADE, related_name="alliance_memberships", verbose_name=_("单位")
    )
    joined_on = models.DateField(_("加入日期"), null=True, blank=True)
    # 契约化共建: what the unit signed up to do.
    covenant = models.TextField(_("共建约定"), blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("联盟成员单位")
        verbose_name_plural = _("联盟成员单位")
        constraints = [models.UniqueConstraint(fields=["alliance", "unit"], name="units_alliance_member_unique")]

    def __str__(self) -> str:
        return f"{self.alliance} · {self.unit}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return prefix_q("alliance__area__path", scope.area_path)
