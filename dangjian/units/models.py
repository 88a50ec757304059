import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

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


class ResidentUnit(models.Model):
    """驻区单位: an agency, enterprise, school... located in a community.

    The people issue adds credit code, staff and member counts; this is the anchor the
    organization tree and unit contacts need.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("名称"), max_length=150)
    kind = models.CharField(_("类型"), max_length=32, choices=UnitKind.choices)
    community = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="units",
        verbose_name=_("所在社区"),
        limit_choices_to={"level": "community"},
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("驻区单位")
        verbose_name_plural = _("驻区单位")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="units_unit_unique_name")]

    def __str__(self) -> str:
        return self.name

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
