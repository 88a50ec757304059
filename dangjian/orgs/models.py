import uuid

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import NOTHING, Scope, ScopedManager, prefix_q
from dangjian.core.tree import TreeNode
from dangjian.territory.models import Area, Building, Estate
from dangjian.units.models import ResidentUnit


class OrgType(models.TextChoices):
    DISTRICT_COMMITTEE = "district_committee", _("区委")
    WORKING_COMMITTEE = "working_committee", _("街道党工委")
    COMMUNITY_COMMITTEE = "community_committee", _("社区党委")
    EXPANDED_COMMITTEE = "expanded_committee", _("社区大党委")
    GENERAL_BRANCH = "general_branch", _("党总支")
    BRANCH = "branch", _("党支部")
    JOINT_BRANCH = "joint_branch", _("联合党支部")
    ESTATE_BRANCH = "estate_branch", _("小区党支部")
    PARTY_GROUP = "party_group", _("党小组")
    BUILDING_GROUP = "building_group", _("楼宇党小组")
    HUB_HOUSEHOLD = "hub_household", _("党员中心户")


T = OrgType
COMMITTEES = {T.COMMUNITY_COMMITTEE, T.EXPANDED_COMMITTEE}
BRANCHES = {T.BRANCH, T.JOINT_BRANCH, T.ESTATE_BRANCH}
# The organization tree's shape: which type may sit directly under which (None: a root).
ALLOWED_PARENT_TYPES: dict[str, set[str | None]] = {
    T.DISTRICT_COMMITTEE: {None},
    T.WORKING_COMMITTEE: {T.DISTRICT_COMMITTEE},
    T.COMMUNITY_COMMITTEE: {T.WORKING_COMMITTEE},
    T.EXPANDED_COMMITTEE: {T.WORKING_COMMITTEE},
    T.GENERAL_BRANCH: {T.DISTRICT_COMMITTEE, T.WORKING_COMMITTEE, *COMMITTEES},
    T.BRANCH: {T.DISTRICT_COMMITTEE, T.WORKING_COMMITTEE, *COMMITTEES, T.GENERAL_BRANCH},
    T.JOINT_BRANCH: {T.WORKING_COMMITTEE, *COMMITTEES, T.GENERAL_BRANCH},
    T.ESTATE_BRANCH: {*COMMITTEES, T.GENERAL_BRANCH},
    T.PARTY_GROUP: {*BRANCHES, T.GENERAL_BRANCH},
    T.BUILDING_GROUP: {*BRANCHES},
    T.HUB_HOUSEHOLD: {T.BUILDING_GROUP, T.PARTY_GROUP, T.ESTATE_BRANCH},
}


class PartyOrg(TreeNode):
    """党组织: a node of the Party organization tree, anchored in the territory and/or a unit."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    org_type = models.CharField(_("组织类型"), max_length=32, choices=OrgType.choices)
    name = models.CharField(_("名称"), max_length=150)
    pinyin = models.CharField(_("拼音首字母"), max_length=300, blank=True, editable=False)
    # The territory node it belongs to: what a territorial role's scope is matched against.
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="party_orgs", verbose_name=_("所在属地"))
    unit = models.ForeignKey(
        ResidentUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="party_orgs",
        verbose_name=_("所在单位"),
    )
    estate = models.ForeignKey(
        Estate, null=True, blank=True, on_delete=models.PROTECT, related_name="party_orgs", verbose_name=_("所在小区")
    )
    building = models.ForeignKey(
        Building, null=True, blank=True, on_delete=models.PROTECT, related_name="party_orgs", verbose_name=_("所在楼栋")
    )
    secretary = models.CharField(_("书记/负责人"), max_length=50, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["pinyin"], name="orgs_partyorg_pinyin"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("orgs:detail", args=[self.public_id])

    @property
    def children_url(self) -> str:
        return reverse("orgs:children", args=[self.public_id])

    @property
    def badge(self) -> str:
        return self.get_org_type_display()

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.org_path:
            return prefix_q("path", scope.org_path)
        if scope.area_path:
            return prefix_q("area__path", scope.area_path)
        return NOTHING
