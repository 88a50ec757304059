import uuid

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import NOTHING, Scope, ScopedManager, prefix_q
from dangjian.core.tree import TreeNode


class Level(models.TextChoices):
    DISTRICT = "district", _("区")
    SUBDISTRICT = "subdistrict", _("街道")
    ZONE = "zone", _("片区")
    COMMUNITY = "community", _("社区")
    GRID = "grid", _("网格")


# Which level may sit directly under which: district → subdistrict → (zone) → community → grid.
ALLOWED_PARENT_LEVELS: dict[str, set[str | None]] = {
    Level.DISTRICT: {None},
    Level.SUBDISTRICT: {Level.DISTRICT},
    Level.ZONE: {Level.SUBDISTRICT},
    Level.COMMUNITY: {Level.SUBDISTRICT, Level.ZONE},
    Level.GRID: {Level.COMMUNITY},
}

# The levels that may carry a boundary. A drawn area lies inside every drawn ancestor, and grids
# do not overlap (see boundaries.py).
BOUNDARY_LEVELS = (Level.SUBDISTRICT, Level.COMMUNITY, Level.GRID)


class Area(TreeNode):
    """A node of the territory tree: district, subdistrict, zone, community or grid."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    name = models.CharField(_("名称"), max_length=100)
    # District: GB/T 2260 (6 digits); subdistrict: 9-digit, community: 12-digit statistical code.
    code = models.CharField(_("区划代码"), max_length=12, blank=True)
    pinyin = models.CharField(_("拼音首字母"), max_length=200, blank=True, editable=False)
    pinyin_full = models.CharField(_("全拼"), max_length=600, blank=True, editable=False)
    # Subdistricts, communities and grids: a GeoJSON Polygon or MultiPolygon geometry in WGS84.
    boundary = models.JSONField(_("边界"), null=True, blank=True)
    # Bounding box of the boundary, for cheap map framing and pre-filtering.
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    min_lng = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lng = models.FloatField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("属地节点")
        verbose_name_plural = _("属地节点")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["level", "path"], name="territory_area_level_path"),
            models.Index(fields=["pinyin"], name="territory_area_pinyin"),
            models.Index(fields=["pinyin_full"], name="territory_area_pinyin_full"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=~Q(code=""), name="territory_area_code_unique"),
            models.CheckConstraint(
                condition=Q(boundary__isnull=True) | Q(level__in=[str(lv) for lv in BOUNDARY_LEVELS]),
                name="territory_area_boundary_on_drawn_levels",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return prefix_q("path", scope.area_path)

    def get_absolute_url(self) -> str:
        return reverse("territory:detail", args=[self.public_id])

    @property
    def children_url(self) -> str:
        return reverse("territory:children", args=[self.public_id])

    @property
    def badge(self) -> str:
        return self.get_level_display()

    @property
    def has_boundary(self) -> bool:
        return self.boundary is not None


def _area_scope_q(field: str, scope: Scope) -> Q:
    return prefix_q(f"{field}__path", scope.area_path) if scope.area_path else NOTHING


class Estate(models.Model):
    """小区: a residential compound in one community, lying in one or more grids."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    community = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="estates",
        verbose_name=_("社区"),
        limit_choices_to={"level": "community"},
    )
    name = models.CharField(_("名称"), max_length=100)
    pinyin = models.CharField(_("拼音首字母"), max_length=200, blank=True, editable=False)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    grids = models.ManyToManyField(
        Area, related_name="grid_estates", blank=True, verbose_name=_("所在网格"), limit_choices_to={"level": "grid"}
    )
    households = models.PositiveIntegerField(_("户数"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("小区")
        verbose_name_plural = _("小区")
        ordering = ["community__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="territory_estate_unique_name"),
            models.CheckConstraint(
                condition=(Q(lat__isnull=True) & Q(lng__isnull=True)) | (Q(lat__isnull=False) & Q(lng__isnull=False)),
                name="territory_estate_point_whole",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.area_level == Level.GRID and scope.area_path:
            # A grid worker sees the estates that lie in their grid.
            return Q(
                pk__in=Estate.grids.through.objects.filter(prefix_q("area__path", scope.area_path)).values("estate_id")
            )
        return _area_scope_q("community", scope)


class BuildingKind(models.TextChoices):
    RESIDENTIAL = "residential", _("住宅楼栋")
    OFFICE = "office", _("商务楼宇")
    OTHER = "other", _("其他")


class Building(models.Model):
    """楼栋 / 楼宇: belongs to a community (and usually an estate), lies in one grid."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    community = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="buildings",
        verbose_name=_("社区"),
        limit_choices_to={"level": "community"},
    )
    estate = models.ForeignKey(
        Estate, null=True, blank=True, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("小区")
    )
    grid = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grid_buildings",
        verbose_name=_("所在网格"),
        limit_choices_to={"level": "grid"},
    )
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=BuildingKind.choices, default=BuildingKind.RESIDENTIAL)
    floors = models.PositiveSmallIntegerField(_("层数"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("楼栋")
        verbose_name_plural = _("楼栋")
        ordering = ["community__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "estate", "name"], name="territory_building_unique_name"),
            models.CheckConstraint(
                condition=(Q(lat__isnull=True) & Q(lng__isnull=True)) | (Q(lat__isnull=False) & Q(lng__isnull=False)),
                name="territory_building_point_whole",
            ),
        ]

    def __str__(self) -> str:
        estate = self.estate
        return f"{estate.name}{self.name}" if estate else self.name

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.area_level == Level.GRID:
            return prefix_q("grid__path", scope.area_path)
        return _area_scope_q("community", scope)
