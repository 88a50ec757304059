import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import TransitionLog
from dangjian.core.scoping import NOTHING, Scope, ScopedManager, prefix_q
from dangjian.core.tree import TreeNode
from dangjian.territory.models import Area, Building, Estate


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
    # Set up for a deployment (应急动员) from the members sent down, closed when it ends; their home
    # organizations are unchanged (mobilization lists the members, not Member.org).
    TEMP_COMMITTEE = "temp_committee", _("临时党委")
    TEMP_BRANCH = "temp_branch", _("临时党支部")


T = OrgType
COMMITTEES = {T.COMMUNITY_COMMITTEE, T.EXPANDED_COMMITTEE}
BRANCHES = {T.BRANCH, T.JOINT_BRANCH, T.ESTATE_BRANCH}
TEMPORARY = {T.TEMP_COMMITTEE, T.TEMP_BRANCH}
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
    # Under the calling node: the district committee or a subdistrict's working committee.
    T.TEMP_COMMITTEE: {T.DISTRICT_COMMITTEE, T.WORKING_COMMITTEE},
    T.TEMP_BRANCH: {T.DISTRICT_COMMITTEE, T.WORKING_COMMITTEE, *COMMITTEES, T.TEMP_COMMITTEE},
}


class PartyOrg(TreeNode):
    """党组织: a node of the Party organization tree, anchored in the territory and/or a unit."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    org_type = models.CharField(_("组织类型"), max_length=32, choices=OrgType.choices)
    name = models.CharField(_("名称"), max_length=150)
    pinyin = models.CharField(_("拼音首字母"), max_length=300, blank=True, editable=False)
    pinyin_full = models.CharField(_("全拼"), max_length=900, blank=True, editable=False)
    # The territory node it belongs to: what a territorial role's scope is matched against.
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="party_orgs", verbose_name=_("所在属地"))
    unit = models.ForeignKey(
        "units.ResidentUnit",  # named, not imported: units sit a layer above orgs
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
    # A temporary organization (TEMPORARY types) is closed when its deployment ends; its record stays.
    closed_on = models.DateField(_("撤销日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["pinyin"], name="orgs_partyorg_pinyin"),
            models.Index(fields=["pinyin_full"], name="orgs_partyorg_pinyin_full"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(org_type__in=["temp_committee", "temp_branch"]),
                name="orgs_partyorg_only_temporary_closed",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_temporary(self) -> bool:
        return self.org_type in TEMPORARY

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


class OfficerPost(models.TextChoices):
    SECRETARY = "secretary", _("书记")
    DEPUTY_SECRETARY = "deputy_secretary", _("副书记")
    ORGANIZATION = "organization", _("组织委员")
    PROPAGANDA = "propaganda", _("宣传委员")
    DISCIPLINE = "discipline", _("纪检委员")
    MEMBER = "member", _("委员")
    GROUP_LEADER = "group_leader", _("党小组组长")


class OrgOfficer(models.Model):
    """班子成员: a person holding a post in an organization's committee (支委), with the term it runs.

    What lets a Party member act for a branch (plan its meetings, record its dues, run its member
    development) beside the community workers whose territory holds it: `orgs.selectors.orgs_led_by`.
    """

    org = models.ForeignKey(PartyOrg, on_delete=models.CASCADE, related_name="officers", verbose_name=_("党组织"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="org_posts",
        verbose_name=_("账号"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    post = models.CharField(_("职务"), max_length=20, choices=OfficerPost.choices)
    started_on = models.DateField(_("任职日期"), default=timezone.localdate)
    ended_on = models.DateField(_("离任日期"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("班子成员")
        verbose_name_plural = _("班子成员")
        ordering = ["org_id", "post", "pk"]
        indexes = [models.Index(fields=["user", "ended_on"], name="orgs_officer_user_ended")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="orgs_officer_term_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.org} · {self.get_post_display()} · {self.name}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.org_path:
            return prefix_q("org__path", scope.org_path)
        if scope.area_path:
            return prefix_q("org__area__path", scope.area_path)
        return NOTHING


# --- 软弱涣散基层党组织: weak organizations, their rectification and delisting (摘帽) ----------------


class WeakAspect(models.TextChoices):
    """The four aspects a weak organization is judged on (蓬江: "党建、民生、发展、治安")."""

    PARTY_BUILDING = "party_building", _("党建")
    LIVELIHOOD = "livelihood", _("民生")
    DEVELOPMENT = "development", _("发展")
    PUBLIC_ORDER = "public_order", _("治安")


class WeakReason(models.Model):
    """A reason an organization can be flagged as weak. Seeded with defaults; editable in the admin."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    label = models.CharField(_("名称"), max_length=60)
    aspect = models.CharField(_("方面"), max_length=20, choices=WeakAspect.choices)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    # Reference data: every signed-in user may read it.
    objects = ScopedManager()

    class Meta:
        verbose_name = _("软弱涣散原因")
        verbose_name_plural = _("软弱涣散原因")
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.label

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return Q()


class WeakCaseStatus(models.TextChoices):
    FLAGGED = "flagged", _("已列入整顿")
    RECTIFYING = "rectifying", _("整改中")
    APPLIED = "applied_for_delisting", _("已申请摘帽")
    DELISTED = "delisted", _("已摘帽")


def weak_scope_q(scope: Scope, org_field: str = "org") -> Q:
    """The cases (or their parts) of the organizations a scope covers: PartyOrg.scope_q itself.

    Written as `org IN (organizations in scope)` rather than a join up to the area: the database
    then starts from the scope's index range instead of walking every case of a status and joining
    up to its area (up to 20 times faster on SQLite, no slower on PostgreSQL; bench/weak_orgs.py).
    """
    return Q(**{f"{org_field}__in": PartyOrg.objects.filter(PartyOrg.scope_q(scope)).values("pk")})


class WeakOrgCase(models.Model):
    """One flagging of an organization as weak (软弱涣散), followed to its delisting (摘帽).

    An organization can be flagged again after it was delisted; it has at most one open case
    (enforced in the database). The workflow's steps are in weak/workflow.py.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    org = models.ForeignKey(PartyOrg, on_delete=models.PROTECT, related_name="weak_cases", verbose_name=_("党组织"))
    status = models.CharField(_("状态"), max_length=24, choices=WeakCaseStatus.choices, default=WeakCaseStatus.FLAGGED)
    reasons = models.ManyToManyField(WeakReason, blank=True, related_name="cases", verbose_name=_("列入原因"))
    other_reason = models.CharField(_("其他原因"), max_length=200, blank=True)
    situation = models.TextField(_("问题表现"), max_length=1000, blank=True)
    flagged_at = models.DateTimeField(_("列入时间"), default=timezone.now)
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("列入人"),
    )
    plan_approved_at = models.DateTimeField(_("方案批准时间"), null=True, blank=True)
    plan_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("方案批准人"),
    )
    applied_at = models.DateTimeField(_("申请摘帽时间"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("申请人"),
    )
    delisted_at = models.DateTimeField(_("摘帽时间"), null=True, blank=True)
    # Who approved the delisting is part of the record: the account cannot be deleted while it stands.
    delisted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("摘帽审批人"),
    )
    delisting_note = models.CharField(_("审批意见"), max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("软弱涣散整顿")
        verbose_name_plural = _("软弱涣散整顿")
        ordering = ["-flagged_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "flagged_at"], name="orgs_weakcase_status_flagged"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["org"],
                condition=Q(status__in=["flagged", "rectifying", "applied_for_delisting"]),
                name="orgs_weakcase_one_open_per_org",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["flagged", "rectifying", "applied_for_delisting", "delisted"]),
                name="orgs_weakcase_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="delisted") | Q(delisted_at__isnull=False, delisted_by__isnull=False),
                name="orgs_weakcase_delisted_has_approver",
            ),
        ]

    def __str__(self) -> str:
        return _("%(org)s · 软弱涣散整顿（%(year)s）") % {
            "org": self.org.name,
            "year": timezone.localtime(self.flagged_at).year,
        }

    def get_absolute_url(self) -> str:
        return reverse("orgs:weak_detail", args=[self.public_id])

    @property
    def state(self):
        """What the status means (orgs/weak/workflow.py): open or not, badge, hint."""
        from .weak.workflow import FLOW

        return FLOW.state(self.status)

    @property
    def is_open(self) -> bool:
        return self.state.is_open

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return weak_scope_q(scope)


class WeakCaseLog(TransitionLog):
    """One step of a case's workflow (orgs/weak/workflow.py): who, when, which step, from, to, note."""

    case = models.ForeignKey(WeakOrgCase, on_delete=models.CASCADE, related_name="log", verbose_name=_("整顿记录"))

    objects = ScopedManager()

    class Meta(TransitionLog.Meta):
        verbose_name = _("整顿流程记录")
        verbose_name_plural = _("整顿流程记录")

    def __str__(self) -> str:
        return f"{self.from_status or '-'} → {self.to_status}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return weak_scope_q(scope, "case__org")


class RectificationStep(models.Model):
    """整改措施: one step of a case's rectification plan, with a deadline and a responsible person."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(WeakOrgCase, on_delete=models.CASCADE, related_name="steps", verbose_name=_("整顿记录"))
    title = models.CharField(_("整改措施"), max_length=200)
    deadline = models.DateField(_("完成时限"))
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="rectification_steps",
        verbose_name=_("责任人"),
    )
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("确认完成人"),
    )
    done_note = models.CharField(_("完成情况"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("添加时间"), default=timezone.now)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("整改措施")
        verbose_name_plural = _("整改措施")
        ordering = ["deadline", "pk"]
        indexes = [
            # 今日待办 and the overdue figures read the open steps by person and by deadline.
            models.Index(
                fields=["responsible", "deadline"], condition=Q(done_at__isnull=True), name="orgs_step_open_by_person"
            ),
            models.Index(fields=["deadline"], condition=Q(done_at__isnull=True), name="orgs_step_open_by_deadline"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(done_at__isnull=True) | ~Q(done_note=""), name="orgs_step_done_has_note"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return weak_scope_q(scope, "case__org")


class WeakCaseNote(models.Model):
    """A progress note on a case (整改进展)."""

    case = models.ForeignKey(WeakOrgCase, on_delete=models.CASCADE, related_name="notes", verbose_name=_("整顿记录"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("记录人"),
    )
    text = models.TextField(_("进展情况"), max_length=1000)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("整改进展")
        verbose_name_plural = _("整改进展")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.text[:40]

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return weak_scope_q(scope, "case__org")
