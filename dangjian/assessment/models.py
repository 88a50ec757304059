"""考核评议 (issue 19, the assessment engine): a district's schemes as data, one score sheet per scheme and
organization, and the year-end 述职评议.

- `Scheme`: one per district, year and kind (抓基层党建工作责任清单 for working and community committees,
  四个一 模范支部测评 for branches), with its grade thresholds as data (defaults 好 ≥ 90, 较好 ≥ 80,
  一般 ≥ 60, else 差) and the day the 述职 is due.
- `Item`: a line of the scheme's lists (任务/责任/考核清单) with its weight in points, deadline and the
  evidence it needs; scored by hand (the district), by an automatic metric (`metrics.py`, read from the
  store of facts and other apps' selectors) or by the panel (评议: the mean of the members' scores).
- `Sheet`: one scheme × organization, `SHEET_FLOW` draft → reported → scored → published; its total,
  grade and rank are written under the row's lock (`services.sheets.total_write`).
- `Score`: one per sheet and item, with where it came from (`explanation`); `PanelScore` one per panel
  member and sheet (a unique constraint: two members scoring at once lose nothing).
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import TransitionLog
from dangjian.core.scoping import NOTHING, Scope, ScopedManager, prefix_q
from dangjian.core.tree import STEP, PathCopyField, ancestor_paths


class SchemeKind(models.TextChoices):
    RESPONSIBILITY = "responsibility", _("抓基层党建工作责任清单")
    MODEL_BRANCH = "model_branch", _("“四个一”模范支部测评")
    DEPARTMENT = "department", _("街长评议驻街部门")


class ListKind(models.TextChoices):
    TASK = "task", _("任务清单")
    RESPONSIBILITY = "responsibility", _("责任清单")
    ASSESSMENT = "assessment", _("考核清单")


class Source(models.TextChoices):
    MANUAL = "manual", _("人工评分")
    AUTO = "auto", _("自动计算")
    PANEL = "panel", _("述职评议")
    CHIEF = "chief", _("街长评分")


class Grade(models.TextChoices):
    GOOD = "good", _("好")
    FAIR = "fair", _("较好")
    PASS = "pass", _("一般")
    POOR = "poor", _("差")


def district_scope_q(scope: Scope) -> Q:
    """Rows of a district (area_path is the district's path) that a territorial scope lies in."""
    if scope.area_path:
        return Q(area_path=scope.area_path[:STEP])
    return NOTHING


class Scheme(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey(
        "territory.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("区"),
        limit_choices_to={"level": "district"},
    )  # fmt: skip
    area_path = PathCopyField(editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("考核类型"), max_length=20, choices=SchemeKind.choices)
    title = models.CharField(_("名称"), max_length=120)
    good_from = models.DecimalField(_("“好”的最低分"), default=Decimal("90"), max_digits=6, decimal_places=1)
    fair_from = models.DecimalField(_("“较好”的最低分"), default=Decimal("80"), max_digits=6, decimal_places=1)
    pass_from = models.DecimalField(_("“一般”的最低分"), default=Decimal("60"), max_digits=6, decimal_places=1)
    report_due = models.DateField(_("述职截止日期"), null=True, blank=True)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        ordering = ["-year", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["district", "year", "kind"], name="assessment_scheme_once"),
            models.CheckConstraint(
                condition=Q(good_from__gt=models.F("fair_from"), fair_from__gt=models.F("pass_from"), pass_from__gte=0),
                name="assessment_scheme_grades",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.area_path = self.district.path
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("assessment:scheme", args=[self.public_id])

    def grade_of(self, total: Decimal) -> str:
        if total >= self.good_from:
            return Grade.GOOD
        if total >= self.fair_from:
            return Grade.FAIR
        if total >= self.pass_from:
            return Grade.PASS
        return Grade.POOR

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.area_path:
            return district_scope_q(scope)
        if scope.department_id:
            # A department reads the schemes its published sheet is in.
            return Q(pk__in=Sheet.objects.filter(Sheet.scope_q(scope)).values("scheme_id"))
        if scope.user_id:
            # A secretary reads the schemes their organizations are assessed under.
            return Q(pk__in=Sheet.objects.filter(Sheet.scope_q(scope)).values("scheme_id"))
        return NOTHING


class Item(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="items", verbose_name=_("考核方案"))
    order = models.PositiveSmallIntegerField(_("序号"), default=0)
    name = models.CharField(_("考核内容"), max_length=200)
    list_kind = models.CharField(_("清单"), max_length=20, choices=ListKind.choices, default=ListKind.ASSESSMENT)
    weight = models.DecimalField(
        _("分值"), validators=[MinValueValidator(Decimal("0.1"))], max_digits=6, decimal_places=1
    )
    deadline = models.DateField(_("完成时限"), null=True, blank=True)
    evidence = models.CharField(_("佐证材料"), max_length=300, blank=True)
    source = models.CharField(_("评分方式"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    metric = models.CharField(_("自动指标"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("考核项目")
        verbose_name_plural = _("考核项目")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gt=0), name="assessment_item_weight"),
            models.CheckConstraint(
                condition=(Q(source="auto") & ~Q(metric="")) | (~Q(source="auto") & Q(metric="")),
                name="assessment_item_metric",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SheetStatus(models.TextChoices):
    DRAFT = "draft", _("待述职")
    REPORTED = "reported", _("已述职")
    SCORED = "scored", _("已评定")
    PUBLISHED = "published", _("已公布")


class Sheet(models.Model):
    """Its subject is either a Party organization (责任清单, 四个一) or a stationed department (街长评议):
    exactly one of `org` and `department` is set."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="sheets", verbose_name=_("考核方案"))
    org = models.ForeignKey(
        "orgs.PartyOrg", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("党组织")
    )
    department = models.ForeignKey(
        "units.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("职能部门"),
    )  # fmt: skip
    area_path = PathCopyField(editable=False)
    status = models.CharField(_("状态"), max_length=12, choices=SheetStatus.choices, default=SheetStatus.DRAFT)
    version = models.PositiveIntegerField(default=1)
    total = models.DecimalField(_("总分"), default=Decimal("0"), max_digits=6, decimal_places=1)
    grade = models.CharField(_("等次"), max_length=8, choices=Grade.choices, blank=True)
    rank = models.PositiveIntegerField(_("排名"), null=True, blank=True)
    report_text = models.TextField(_("述职报告"), blank=True, max_length=10000)
    reported_at = models.DateTimeField(_("述职时间"), null=True, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    computed_at = models.DateTimeField(_("自动评分时间"), null=True, blank=True)
    # the first instant of the scheme's year: the sheet's day in the store of facts (assessment/facts.py)
    cohort_at = models.DateTimeField(editable=False, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("考核评分表")
        verbose_name_plural = _("考核评分表")
        ordering = ["scheme", "-total", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "org"], name="assessment_sheet_once"),
            models.UniqueConstraint(fields=["scheme", "department"], name="assessment_sheet_department_once"),
            models.CheckConstraint(condition=Q(total__gte=0), name="assessment_sheet_total"),
            models.CheckConstraint(
                condition=Q(org__isnull=False, department__isnull=True) | Q(org__isnull=True, department__isnull=False),
                name="assessment_sheet_subject",
            ),
        ]
        indexes = [models.Index(fields=["scheme", "total", "id"], name="assessment_sheet_rank")]

    def __str__(self) -> str:
        return f"{self.subject_name} · {self.scheme.title}"

    def get_absolute_url(self) -> str:
        return reverse("assessment:sheet", args=[self.public_id])

    @property
    def subject(self) -> Any:
        """The organization or the department the sheet assesses."""
        return self.org if self.org_id else self.department

    @property
    def subject_name(self) -> str:
        return self.subject.name

    @property
    def status_label(self) -> str:
        """The status as shown: a department makes no 述职, so its draft reads 待评分."""
        if self.department_id and self.status == SheetStatus.DRAFT:
            return str(_("待评分"))
        return str(self.get_status_display())

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.department_id:
            # a department reads its own appraisal once the district has published it
            return Q(department_id=scope.department_id, status=SheetStatus.PUBLISHED)
        q = org_scope_q(scope)
        if scope.area_path and scope.area_level == "subdistrict":
            # the street chief (街长) reads the departments serving the district above it too
            q |= Q(department__isnull=False, area_path__in=ancestor_paths(scope.area_path))
        return q


def org_scope_q(scope: Scope) -> Q:
    """Rows of an organization (with `area_path` and `org`) a scope reads: its territory's, and a
    secretary's (书记 or 副书记 of the organization)."""
    if scope.area_path:
        return prefix_q("area_path", scope.area_path)
    if scope.user_id:
        from dangjian.orgs.models import OfficerPost, OrgOfficer

        led = OrgOfficer.objects.filter(
            user_id=scope.user_id,
            ended_on__isnull=True,
            post__in=[OfficerPost.SECRETARY, OfficerPost.DEPUTY_SECRETARY],
        ).values("org_id")
        return Q(org_id__in=led)
    return NOTHING


class SheetLog(TransitionLog):
    sheet = models.ForeignKey(Sheet, on_delete=models.CASCADE, related_name="log")

    class Meta(TransitionLog.Meta):
        verbose_name = _("考核评分表日志")
        verbose_name_plural = _("考核评分表日志")


class Score(models.Model):
    sheet = models.ForeignKey(Sheet, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="scores")
    points = models.DecimalField(_("得分"), null=True, blank=True, max_digits=6, decimal_places=1)
    explanation = models.CharField(_("得分依据"), max_length=500, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    entered_at = models.DateTimeField(_("评分时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("项目得分")
        verbose_name_plural = _("项目得分")
        ordering = ["item__order", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "item"], name="assessment_score_once"),
            models.CheckConstraint(condition=Q(points__isnull=True) | Q(points__gte=0), name="assessment_score_points"),
        ]

    def __str__(self) -> str:
        return f"{self.sheet_id}/{self.item_id}: {self.points}"


class PanelMember(models.Model):
    """A member of the scheme's 评议 panel."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="panel", verbose_name=_("考核方案"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("评议组成员")
        verbose_name_plural = _("评议组成员")
        constraints = [models.UniqueConstraint(fields=["scheme", "user"], name="assessment_panel_once")]

    def __str__(self) -> str:
        return f"{self.scheme_id}/{self.user_id}"


class PanelScore(models.Model):
    """One panel member's score of one sheet's 述职, out of 100 (the panel items take the mean)."""

    sheet = models.ForeignKey(Sheet, on_delete=models.CASCADE, related_name="panel_scores")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(
        _("评议分"), validators=[MinValueValidator(0), MaxValueValidator(100)], max_digits=6, decimal_places=1
    )
    note = models.CharField(_("评议意见"), max_length=300, blank=True)
    at = models.DateTimeField(_("评议时间"), auto_now=True)

    class Meta:
        verbose_name = _("评议打分")
        verbose_name_plural = _("评议打分")
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "member"], name="assessment_panel_score_once"),
            models.CheckConstraint(condition=Q(points__gte=0, points__lte=100), name="assessment_panel_points"),
        ]

    def __str__(self) -> str:
        return f"{self.sheet_id}/{self.member_id}: {self.points}"


class ChiefScore(models.Model):
    """One street chief's (街长: a subdistrict admin) score of a stationed department, out of 100; the
    街长评分 item takes the mean of the chiefs' scores scaled to its weight."""

    sheet = models.ForeignKey(Sheet, on_delete=models.CASCADE, related_name="chief_scores")
    chief = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(
        _("街长评分"), validators=[MinValueValidator(0), MaxValueValidator(100)], max_digits=6, decimal_places=1
    )
    note = models.CharField(_("评价意见"), max_length=300, blank=True)
    at = models.DateTimeField(_("评分时间"), auto_now=True)

    class Meta:
        verbose_name = _("街长评分")
        verbose_name_plural = _("街长评分")
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "chief"], name="assessment_chief_score_once"),
            models.CheckConstraint(condition=Q(points__gte=0, points__lte=100), name="assessment_chief_points"),
        ]

    def __str__(self) -> str:
        return f"{self.sheet_id}/{self.chief_id}: {self.points}"


class ReportFile(models.Model):
    sheet = models.ForeignKey(Sheet, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("文件"), upload_to="assessment/%Y/")
    name = models.CharField(_("文件名"), max_length=150)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("述职附件")
        verbose_name_plural = _("述职附件")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


# -- 双随机 mid-year supervision ---------------------------------------------------------------------


class Draw(models.Model):
    """双随机: a random sample of the scheme's organizations and of inspectors, drawn by
    `random.Random(seed)` over the candidates in a stable order; the seed is kept, so anyone can draw
    again and get the same sample (`services.inspection.redraw`)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="draws", verbose_name=_("考核方案"))
    area_path = PathCopyField(editable=False)
    seed = models.BigIntegerField(_("随机种子"))
    org_count = models.PositiveSmallIntegerField(_("抽取党组织数"))
    inspector_count = models.PositiveSmallIntegerField(_("抽取督导人员数"))
    candidate_count = models.PositiveIntegerField(_("候选党组织数"), default=0)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    drawn_at = models.DateTimeField(_("抽取时间"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("双随机抽取")
        verbose_name_plural = _("双随机抽取")
        ordering = ["-drawn_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.scheme.title} · {self.drawn_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("assessment:draw", args=[self.public_id])

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return district_scope_q(scope)


class Pick(models.Model):
    """One organization drawn, and the inspector drawn to visit it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    draw = models.ForeignKey(Draw, on_delete=models.CASCADE, related_name="picks")
    position = models.PositiveSmallIntegerField(_("顺序"))
    org = models.ForeignKey("orgs.PartyOrg", on_delete=models.PROTECT, related_name="+", verbose_name=_("党组织"))
    area_path = PathCopyField(editable=False)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("督导人员")
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("抽中的党组织")
        verbose_name_plural = _("抽中的党组织")
        ordering = ["draw", "position"]
        constraints = [models.UniqueConstraint(fields=["draw", "org"], name="assessment_pick_once")]

    def __str__(self) -> str:
        return f"{self.draw_id}/{self.org_id}"

    def get_absolute_url(self) -> str:
        return reverse("assessment:pick", args=[self.public_id])

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        # the territory's own picks and the secretary's organization; an inspector drawn from elsewhere
        # reads theirs too (selectors.picks_for)
        return org_scope_q(scope)


class FindingStatus(models.TextChoices):
    OPEN = "open", _("待整改")
    RECTIFIED = "rectified", _("已整改")
    VERIFIED = "verified", _("已销号")


class Finding(models.Model):
    """A problem an inspector found at a drawn organization: a rectification item (`FINDING_FLOW`)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pick = models.ForeignKey(Pick, on_delete=models.CASCADE, related_name="findings")
    org = models.ForeignKey("orgs.PartyOrg", on_delete=models.PROTECT, related_name="+", verbose_name=_("党组织"))
    area_path = PathCopyField(editable=False)
    text = models.CharField(_("发现的问题"), max_length=500)
    deadline = models.DateField(_("整改时限"))
    status = models.CharField(_("状态"), max_length=12, choices=FindingStatus.choices, default=FindingStatus.OPEN)
    version = models.PositiveIntegerField(default=1)
    rectified_note = models.CharField(_("整改情况"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("督导发现问题")
        verbose_name_plural = _("督导发现问题")
        ordering = ["deadline", "pk"]
        indexes = [models.Index(fields=["org", "status"], name="assessment_finding_org")]

    def __str__(self) -> str:
        return self.text[:40]

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return org_scope_q(scope)


class FindingLog(TransitionLog):
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="log")

    class Meta(TransitionLog.Meta):
        verbose_name = _("整改日志")
        verbose_name_plural = _("整改日志")
