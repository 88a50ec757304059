import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import NOTHING, Scope, ScopedManager, prefix_q
from dangjian.core.text import mask_mobile
from dangjian.core.tree import PathCopyField
from dangjian.core.validators import mask_citizen_id
from dangjian.orgs.models import PartyOrg
from dangjian.territory.models import Area, Building, Estate
from dangjian.units.models import ResidentUnit


class MemberCategory(models.TextChoices):
    FULL = "full", _("正式党员")
    PROBATIONARY = "probationary", _("预备党员")


class MemberStatus(models.TextChoices):
    IN_SERVICE = "in_service", _("在职")
    RETIRED = "retired", _("退休")
    FLOATING = "floating", _("流动")
    POCKET = "pocket", _("口袋")
    MOVED_OUT = "moved_out", _("已转出")
    DECEASED = "deceased", _("已去世")
    # No longer a Party member: a probationary membership cancelled (取消预备党员资格), or a removal.
    REMOVED = "removed", _("已出党")


# Members still on an organization's books; moved-out, deceased and removed members are kept as history.
ACTIVE_STATUSES = [MemberStatus.IN_SERVICE, MemberStatus.RETIRED, MemberStatus.FLOATING, MemberStatus.POCKET]
# The statuses of that history: no account, no transfer, asked twice before setting.
OFF_BOOKS_STATUSES = frozenset({MemberStatus.MOVED_OUT, MemberStatus.DECEASED, MemberStatus.REMOVED})
# Floating and pocket members: to be brought (back) under an organization's management.
UNMANAGED_STATUSES = [MemberStatus.FLOATING, MemberStatus.POCKET]
ORG_OPTIONAL_STATUSES = ["pocket", "moved_out", "deceased", "removed"]


class Sex(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class Member(models.Model):
    """党员: a full or probationary member, the organization holding their relationship, where they live.

    ID number and mobile are personal data: lists show them masked; revealing one writes an audit row.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("姓名"), max_length=50)
    pinyin = models.CharField(_("拼音首字母"), max_length=100, blank=True, editable=False)
    sex = models.CharField(_("性别"), max_length=8, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    id_number = models.CharField(_("身份证号"), max_length=18, null=True, blank=True, unique=True)
    mobile = models.CharField(_("手机号"), max_length=11, blank=True)
    category = models.CharField(
        _("党员类别"), max_length=16, choices=MemberCategory.choices, default=MemberCategory.FULL
    )
    joined_on = models.DateField(_("入党日期"), null=True, blank=True)
    confirmed_on = models.DateField(_("转正日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=MemberStatus.choices, default=MemberStatus.IN_SERVICE)
    # The organization holding the member's relationship (组织关系所在党组织); a pocket member's may be unknown.
    org = models.ForeignKey(
        PartyOrg, null=True, blank=True, on_delete=models.PROTECT, related_name="members", verbose_name=_("所在党组织")
    )
    workplace = models.ForeignKey(
        ResidentUnit,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        verbose_name=_("工作单位"),
    )
    home_community = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resident_members",
        verbose_name=_("居住社区"),
        limit_choices_to={"level": "community"},
    )
    home_estate = models.ForeignKey(
        Estate, null=True, blank=True, on_delete=models.SET_NULL, related_name="members", verbose_name=_("居住小区")
    )
    home_building = models.ForeignKey(
        Building, null=True, blank=True, on_delete=models.SET_NULL, related_name="members", verbose_name=_("居住楼栋")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member",
        verbose_name=_("账号"),
    )
    # 关联账号 asked by a worker, waiting for the account holder to accept it after signing in:
    # nobody but the holder can attach a record (and the 党员 role) to an existing account.
    pending_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pending_member_links",
        verbose_name=_("待确认关联的账号"),
    )
    pending_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("关联请求人"),
    )
    pending_at = models.DateTimeField(_("关联请求时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        ordering = ["name", "pk"]
        indexes = [
            # A status filter (流动/口袋党员, a status picked on the list) in the list's order.
            models.Index(
                fields=["status", "name", "id"], include=["org", "home_community"], name="people_member_status_name"
            ),
            models.Index(fields=["pinyin"], name="people_member_pinyin"),
            # Lists are ordered by name: the first page of a large scope reads the index, not a sort. The
            # scope's columns ride along (PostgreSQL: INCLUDE), so a small scope's walk (a community's 2 % of a
            # district, a capped count reading 1,001 of them) filters index entries, not table rows.
            models.Index(
                fields=["name", "id"], include=["org", "home_community", "status"], name="people_member_name_scope"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(category="probationary", confirmed_on__isnull=True) | Q(category="full"),
                name="people_member_probationary_not_confirmed",
            ),
            # In-service, retired and floating members are on an organization's books; only a pocket
            # member's organization may be unknown (moved-out and deceased keep their last one, if any).
            models.CheckConstraint(
                condition=Q(org__isnull=False) | Q(status__in=ORG_OPTIONAL_STATUSES),
                name="people_member_org_unless_pocket_or_gone",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_mobile(self) -> str:
        return mask_mobile(self.mobile)

    @property
    def masked_id_number(self) -> str:
        return mask_citizen_id(self.id_number or "")

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.area_path:
            # Members whose organization is in the territory, and members living in it. The two id
            # lists are read first (two small indexed queries) so that the database can combine the
            # member table's org and home indexes; an OR across joins scans every member instead
            # (300,000 members: a community worker's list went from ~1.1 s to ~0.03 s on PostgreSQL).
            org_ids = list(
                PartyOrg.objects.filter(prefix_q("area__path", scope.area_path)).values_list("pk", flat=True)
            )
            community_ids = list(
                Area.objects.filter(prefix_q("path", scope.area_path), level="community").values_list("pk", flat=True)
            )
            return Q(org_id__in=org_ids) | Q(home_community_id__in=community_ids)
        if scope.org_path:
            return prefix_q("org__path", scope.org_path)
        if scope.unit_id:
            return Q(workplace_id=scope.unit_id)
        if scope.user_id:
            return Q(user_id=scope.user_id)
        return NOTHING


class MemberTransfer(models.Model):
    """组织关系转接: one move of a member's relationship from one organization to another."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="transfers", verbose_name=_("党员"))
    from_org = models.ForeignKey(
        PartyOrg, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("转出组织")
    )
    to_org = models.ForeignKey(
        PartyOrg, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("转入组织")
    )
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("经办人"),
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("组织关系转接")
        verbose_name_plural = _("组织关系转接")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["at", "id"], name="people_transfer_at")]  # the transfer list's order

    def __str__(self) -> str:
        return f"{self.member}: {self.from_org} → {self.to_org}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        # The moves of members seen here, and every move out of or into an organization in scope:
        # an organization keeps the record of a member it transferred away.
        members = Q(member__in=Member.objects.filter(Member.scope_q(scope)))
        if scope.area_path:
            orgs = PartyOrg.objects.filter(prefix_q("area__path", scope.area_path)).values("pk")
            return members | Q(from_org__in=orgs) | Q(to_org__in=orgs)
        if scope.org_path:
            return members | prefix_q("from_org__path", scope.org_path) | prefix_q("to_org__path", scope.org_path)
        return members


class MemberStatusChange(models.Model):
    """One change of a member's status (who, when, from, to, why): the log of the status workflow."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("党员"))
    from_status = models.CharField(_("原状态"), max_length=16, choices=MemberStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=16, choices=MemberStatus.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("经办人"),
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("党员状态变更")
        verbose_name_plural = _("党员状态变更")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["member", "-at"], name="people_statuschange_member_at")]

    def __str__(self) -> str:
        return f"{self.member}: {self.get_from_status_display()} → {self.get_to_status_display()}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return Q(member__in=Member.objects.filter(Member.scope_q(scope)))


class Household(models.Model):
    """户: one dwelling in a building, kept by the grid worker of the building's grid."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="households", verbose_name=_("楼栋"))
    room = models.CharField(_("门牌/房号"), max_length=30)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("住户")
        verbose_name_plural = _("住户")
        ordering = ["building_id", "room"]
        constraints = [models.UniqueConstraint(fields=["building", "room"], name="people_household_unique_room")]

    def __str__(self) -> str:
        return f"{self.building}{self.room}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.area_level == "grid":
            return prefix_q("building__grid__path", scope.area_path)
        return prefix_q("building__community__path", scope.area_path)


class ResidentTag(models.TextChoices):
    ELDERLY_ALONE = "elderly_alone", _("独居老人")
    IN_HARDSHIP = "in_hardship", _("困难群众")
    VETERAN = "veteran", _("退役军人")
    DISABLED = "disabled", _("残疾人")
    LEFT_BEHIND_CHILD = "left_behind_child", _("留守儿童")


class Resident(models.Model):
    """居民 in the household register: only name, household, phone and tags are collected."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="residents", verbose_name=_("住户"))
    # The household's building's grid (or community, without a grid): the scope and the tag list's order,
    # so a district's list is an index walk, not a sort of its residents. Set on save (the import's bulk
    # write sets it itself), kept by people.receivers when a building changes grid, and by a subtree move.
    area_path = PathCopyField(editable=False, default="")
    name = models.CharField(_("姓名"), max_length=50)
    mobile = models.CharField(_("电话"), max_length=11, blank=True)
    # On PostgreSQL a GIN index (jsonb_path_ops, migration 0006) serves the tag filter (selectors.tag_q).
    tags = models.JSONField(_("标签"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("居民")
        verbose_name_plural = _("居民")
        ordering = ["household_id", "name"]
        indexes = [models.Index(fields=["area_path", "id"], name="people_resident_scope")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.area_path:  # bulk writes (the import) set it themselves
            self.area_path = self.path_of(self.household.building)
        super().save(*args, **kwargs)

    @property
    def masked_mobile(self) -> str:
        return mask_mobile(self.mobile)

    @property
    def tag_labels(self) -> list[str]:
        return [str(ResidentTag(t).label) for t in self.tags if t in ResidentTag.values]

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        # The same rows as the households' rule (a grid's buildings, or a community's and below).
        return prefix_q("area_path", scope.area_path)

    @staticmethod
    def path_of(building: Building) -> str:
        return (building.grid or building.community).path


class LiaisonLevel(models.TextChoices):
    CITY = "city", _("市级")
    DISTRICT = "district", _("区级")
    SUBDISTRICT = "subdistrict", _("街道级")
    COMMUNITY = "community", _("社区级")


class Liaison(models.Model):
    """包联 / 挂点: a leader made responsible for a community, a grid or an estate."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    leader_name = models.CharField(_("领导姓名"), max_length=50)
    post = models.CharField(_("职务"), max_length=100)
    level = models.CharField(_("层级"), max_length=16, choices=LiaisonLevel.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="liaisons",
        verbose_name=_("账号"),
    )
    # Exactly one target: a community or grid (area), or an estate.
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.CASCADE, related_name="liaisons", verbose_name=_("包联社区/网格")
    )
    estate = models.ForeignKey(
        Estate, null=True, blank=True, on_delete=models.CASCADE, related_name="liaisons", verbose_name=_("包联小区")
    )
    since = models.DateField(_("起始日期"), null=True, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("包联")
        verbose_name_plural = _("包联")
        ordering = ["level", "leader_name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(area__isnull=False) & Q(estate__isnull=True))
                | (Q(area__isnull=True) & Q(estate__isnull=False)),
                name="people_liaison_one_target",
            ),
            # An ended assignment is kept as history with its end date; an active one has none.
            models.CheckConstraint(
                condition=Q(is_active=True, ended_on__isnull=True) | Q(is_active=False, ended_on__isnull=False),
                name="people_liaison_ended_has_date",
            ),
            # The same leader is not assigned twice to the same node at the same time.
            models.UniqueConstraint(
                fields=["leader_name", "area"],
                condition=Q(is_active=True, area__isnull=False),
                name="people_liaison_unique_active_area",
            ),
            models.UniqueConstraint(
                fields=["leader_name", "estate"],
                condition=Q(is_active=True, estate__isnull=False),
                name="people_liaison_unique_active_estate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.leader_name}（{self.post}）"

    @property
    def target(self):
        return self.area or self.estate

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if not scope.area_path:
            return NOTHING
        if scope.area_level == "grid":
            # A grid worker sees their grid's liaisons and those of the estates lying in it.
            in_grid = Estate.grids.through.objects.filter(prefix_q("area__path", scope.area_path)).values("estate_id")
            return prefix_q("area__path", scope.area_path) | Q(estate__in=in_grid)
        return prefix_q("area__path", scope.area_path) | prefix_q("estate__community__path", scope.area_path)

    def area_path(self) -> str:
        area, estate = self.area, self.estate
        if area is not None:
            return area.path
        return estate.community.path if estate is not None else ""
