"""The community workforce (社区工作者队伍): the register of workers, their posts held and their place on
the district's career and pay ladder (三岗十八级, 3岗32级: data per district, a draft beside the table in
force), the yearly step-up proposals a district admin approves (workflow `workforce.stepup`), the
reserve pool (社区后备人才库) and training (courses, sessions, attendance by QR or by the organizer,
hours per person per year).

A worker's figures (head count, 80后, degrees, 一肩挑, placement, the two committees) are a stock subject
of the figures store (`facts.py`), so any node's figures on any past date stay readable.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import TransitionLog
from dangjian.core.scoping import NOTHING, Scope, ScopedManager, prefix_q
from dangjian.core.text import mask_mobile
from dangjian.core.tree import STEP, PathCopyField
from dangjian.core.validators import mask_citizen_id


def _area_q(scope: Scope) -> Q:
    return prefix_q("area_path", scope.area_path) if scope.area_path else NOTHING


def _district_q(scope: Scope) -> Q:
    """Rows of the district the scope lies in."""
    return Q(area_path=scope.area_path[:STEP]) if scope.area_path else NOTHING


class Education(models.TextChoices):
    """Highest education, lowest first (the order is used: 大专及以上 = index ≥ COLLEGE's)."""

    BELOW = "below", _("高中及以下")
    COLLEGE = "college", _("大专")
    BACHELOR = "bachelor", _("本科")
    MASTER = "master", _("研究生")


EDUCATION_ORDER = list(Education.values)


def education_at_least(value: str, floor: str) -> bool:
    return value in EDUCATION_ORDER and EDUCATION_ORDER.index(value) >= EDUCATION_ORDER.index(floor)


class WorkerKind(models.TextChoices):
    SECRETARY = "secretary", _("社区党组织书记")
    COMMITTEE = "committee", _("两委委员")
    PROFESSIONAL = "professional", _("专职社区工作者")
    GRID = "grid", _("专职网格员")
    GENERALIST = "generalist", _("全科社工")
    FIRST_SECRETARY = "first_secretary", _("第一书记")


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


# -- the career and pay ladder ----------------------------------------------------------------------
class LadderStatus(models.TextChoices):
    DRAFT = "draft", _("草案")
    ACTIVE = "active", _("执行中")
    RETIRED = "retired", _("已停用")


class Ladder(models.Model):
    """A district's career and pay scheme: posts × grades, the grade range of each post, a step-up
    every N years, education credits, the monthly pay of each grade and the subsidies. One table is in
    force per district (a constraint); drafts are compared with it (the what-if view)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey(
        "territory.Area",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("区"),
        limit_choices_to={"level": "district"},
    )
    area_path = PathCopyField(editable=False, db_index=True)
    name = models.CharField(_("名称"), max_length=60)
    status = models.CharField(_("状态"), max_length=10, choices=LadderStatus.choices, default=LadderStatus.DRAFT)
    effective_from = models.DateField(_("生效日期"))
    step_years = models.PositiveSmallIntegerField(_("每满几年晋升一级"), default=3, validators=[MinValueValidator(1)])
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("来源方案")
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("岗位等级薪酬方案")
        verbose_name_plural = _("岗位等级薪酬方案")
        ordering = ["area_path", "-effective_from", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["district"], condition=Q(status="active"), name="workforce_one_active_ladder"
            ),
            models.CheckConstraint(condition=Q(step_years__gte=1), name="workforce_ladder_step_years"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.area_path = self.district.path
        super().save(*args, **kwargs)

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        # A subdistrict or community sees its district's tables (they price its own workers).
        return _district_q(scope)


class LadderPost(models.Model):
    """A post (岗) of a ladder and the grades it spans."""

    ladder = models.ForeignKey(Ladder, on_delete=models.CASCADE, related_name="posts")
    code = models.CharField(_("代码"), max_length=20)
    name = models.CharField(_("岗位"), max_length=40)
    min_grade = models.PositiveSmallIntegerField(_("起始等级"), validators=[MinValueValidator(1)])
    max_grade = models.PositiveSmallIntegerField(_("最高等级"), validators=[MinValueValidator(1)])
    sort = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        ordering = ["ladder", "sort", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["ladder", "code"], name="workforce_post_code_once"),
            models.CheckConstraint(condition=Q(max_grade__gte=models.F("min_grade")), name="workforce_post_range"),
        ]

    def __str__(self) -> str:
        return self.name


class LadderGrade(models.Model):
    """The monthly pay of one grade (级)."""

    ladder = models.ForeignKey(Ladder, on_delete=models.CASCADE, related_name="grades")
    grade = models.PositiveSmallIntegerField(_("等级"), validators=[MinValueValidator(1)])
    monthly_pay = models.DecimalField(_("月薪（元）"), max_digits=9, decimal_places=2)

    class Meta:
        verbose_name = _("等级薪酬")
        verbose_name_plural = _("等级薪酬")
        ordering = ["ladder", "grade"]
        constraints = [
            models.UniqueConstraint(fields=["ladder", "grade"], name="workforce_grade_once"),
            models.CheckConstraint(condition=Q(monthly_pay__gte=0), name="workforce_grade_pay_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.grade}"


class EducationCredit(models.Model):
    """What a degree is worth on the ladder: grades above the post's first on entry, and years off the
    N-year step-up rule."""

    ladder = models.ForeignKey(Ladder, on_delete=models.CASCADE, related_name="credits")
    education = models.CharField(_("学历"), max_length=10, choices=Education.choices)
    entry_grades = models.PositiveSmallIntegerField(_("入职加级"), default=0)
    years_off = models.PositiveSmallIntegerField(_("晋升年限缩短（年）"), default=0)

    class Meta:
        verbose_name = _("学历加级")
        verbose_name_plural = _("学历加级")
        constraints = [models.UniqueConstraint(fields=["ladder", "education"], name="workforce_credit_once")]

    def __str__(self) -> str:
        return self.get_education_display()


class SubsidyApplies(models.TextChoices):
    ALL = "all", _("全体")
    COMMITTEE = "committee", _("两委成员")
    DUAL_ROLE = "dual_role", _("书记、主任一肩挑")
    SECRETARY = "secretary", _("社区党组织书记")


class Subsidy(models.Model):
    """A monthly subsidy on top of the grade's pay (两委补贴, 一肩挑补贴...)."""

    ladder = models.ForeignKey(Ladder, on_delete=models.CASCADE, related_name="subsidies")
    name = models.CharField(_("名称"), max_length=40)
    applies = models.CharField(_("适用"), max_length=12, choices=SubsidyApplies.choices)
    monthly = models.DecimalField(_("每月（元）"), max_digits=9, decimal_places=2)

    class Meta:
        verbose_name = _("补贴")
        verbose_name_plural = _("补贴")
        ordering = ["ladder", "pk"]
        constraints = [models.CheckConstraint(condition=Q(monthly__gte=0), name="workforce_subsidy_positive")]

    def __str__(self) -> str:
        return self.name


# -- the register ---------------------------------------------------------------------------------
class Worker(models.Model):
    """A community worker, secretary, committee member, grid worker, 全科社工 or 第一书记."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    area = models.ForeignKey(
        "territory.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("所在社区或街道")
    )
    area_path = PathCopyField(editable=False)
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=6, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("出生日期"))
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True)
    mobile = models.CharField(_("手机号"), max_length=11, blank=True)
    education = models.CharField(_("学历"), max_length=10, choices=Education.choices)
    kind = models.CharField(_("类别"), max_length=16, choices=WorkerKind.choices)
    title = models.CharField(_("现任职务"), max_length=60, blank=True)
    is_committee = models.BooleanField(_("两委成员"), default=False)
    dual_role = models.BooleanField(_("书记、主任一肩挑"), default=False)
    placed = models.BooleanField(_("下沉在社区工作"), default=True)
    sending_unit = models.CharField(_("派出单位（第一书记）"), max_length=100, blank=True)
    batch = models.PositiveSmallIntegerField(_("批次（第一书记）"), null=True, blank=True)
    joined_on = models.DateField(_("入职日期"))
    active = models.BooleanField(_("在岗"), default=True)
    left_on = models.DateField(_("离岗日期"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("账号"),
    )  # fmt: skip
    member = models.ForeignKey(
        "people.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("党员档案"),
    )  # fmt: skip
    # The worker's place on the district's ladder in force (the history is GradeRecord).
    post = models.ForeignKey(
        LadderPost, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("岗位")
    )
    grade = models.PositiveSmallIntegerField(_("等级"), null=True, blank=True)
    grade_since = models.DateField(_("本级起始"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("社区工作者")
        verbose_name_plural = _("社区工作者")
        ordering = ["area_path", "name", "pk"]
        indexes = [
            models.Index(fields=["area_path", "name", "id"], name="workforce_worker_list"),
            models.Index(fields=["area_path", "post", "grade"], name="workforce_worker_pay"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(dual_role=False) | Q(kind="secretary"), name="workforce_dual_role_is_secretary"
            ),
            models.CheckConstraint(
                condition=Q(post__isnull=True) | Q(grade__isnull=False), name="workforce_post_has_grade"
            ),
            models.UniqueConstraint(
                fields=["id_number"], condition=~Q(id_number=""), name="workforce_worker_id_number_once"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.area_path = self.area.path
        super().save(*args, **kwargs)

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.user_id and not scope.area_path:
            return Q(user_id=scope.user_id)
        return _area_q(scope)

    @property
    def id_number_masked(self) -> str:
        return mask_citizen_id(self.id_number)

    @property
    def mobile_masked(self) -> str:
        return mask_mobile(self.mobile)


class PostHeld(models.Model):
    """A post the worker held (社区党委书记, 居委会主任, 网格员...), for the record."""

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="posts_held")
    title = models.CharField(_("职务"), max_length=60)
    organization = models.CharField(_("单位"), max_length=100, blank=True)
    started_on = models.DateField(_("任职开始"))
    ended_on = models.DateField(_("任职结束"), null=True, blank=True)

    class Meta:
        verbose_name = _("任职经历")
        verbose_name_plural = _("任职经历")
        ordering = ["worker", "-started_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="workforce_post_held_dates",
            )
        ]

    def __str__(self) -> str:
        return self.title


class GradeReason(models.TextChoices):
    ENTRY = "entry", _("定岗定级")
    STEP_UP = "step_up", _("晋级")
    ADJUST = "adjust", _("调整")


class GradeRecord(models.Model):
    """One line of a worker's post and grade history on a ladder."""

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="grade_history")
    ladder = models.ForeignKey(Ladder, on_delete=models.PROTECT, related_name="+")
    post = models.ForeignKey(LadderPost, on_delete=models.PROTECT, related_name="+", verbose_name=_("岗位"))
    grade = models.PositiveSmallIntegerField(_("等级"))
    since = models.DateField(_("起始日期"))
    reason = models.CharField(_("原因"), max_length=10, choices=GradeReason.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("岗位等级记录")
        verbose_name_plural = _("岗位等级记录")
        ordering = ["worker", "-since", "-pk"]

    def __str__(self) -> str:
        return f"{self.post} {self.grade}"


# -- the yearly step-up ---------------------------------------------------------------------------
class RunStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("计算中")
    DONE = "done", _("已完成")


class StepUpRun(models.Model):
    """One district's step-up run for a year: at most one (a second start returns the first)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey("territory.Area", on_delete=models.CASCADE, related_name="+")
    area_path = PathCopyField(editable=False)
    ladder = models.ForeignKey(Ladder, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    status = models.CharField(_("状态"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    total = models.PositiveIntegerField(_("待核对人数"), default=0)
    done = models.PositiveIntegerField(_("已核对人数"), default=0)
    proposed = models.PositiveIntegerField(_("拟晋级人数"), default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("年度晋级核定")
        verbose_name_plural = _("年度晋级核定")
        ordering = ["-year", "area_path"]
        constraints = [models.UniqueConstraint(fields=["district", "year"], name="workforce_run_once_a_year")]

    def __str__(self) -> str:
        return f"{self.year}"

    def save(self, *args, **kwargs):
        self.area_path = self.district.path
        super().save(*args, **kwargs)

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        # The district's run: anyone under the district reads it (their own proposals only).
        return _district_q(scope)

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.done * 100 // self.total)


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("未批准")


class StepUpProposal(models.Model):
    """A proposed promotion of one grade: once per worker and year (the run may be run again)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    run = models.ForeignKey(StepUpRun, on_delete=models.CASCADE, related_name="proposals")
    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="proposals")
    area_path = PathCopyField()
    year = models.PositiveSmallIntegerField(_("年度"))
    post = models.ForeignKey(LadderPost, on_delete=models.PROTECT, related_name="+", verbose_name=_("岗位"))
    from_grade = models.PositiveSmallIntegerField(_("现等级"))
    to_grade = models.PositiveSmallIntegerField(_("拟晋等级"))
    years_at_grade = models.PositiveSmallIntegerField(_("本级年限"))
    status = models.CharField(_("状态"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("晋级建议")
        verbose_name_plural = _("晋级建议")
        ordering = ["area_path", "pk"]
        indexes = [models.Index(fields=["run", "status", "area_path", "id"], name="workforce_proposal_list")]
        constraints = [
            models.UniqueConstraint(fields=["worker", "year"], name="workforce_proposal_once_a_year"),
            models.CheckConstraint(condition=Q(to_grade__gt=models.F("from_grade")), name="workforce_proposal_up"),
        ]

    def __str__(self) -> str:
        return f"{self.worker} {self.from_grade}→{self.to_grade}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return _area_q(scope)


class StepUpLog(TransitionLog):
    proposal = models.ForeignKey(StepUpProposal, on_delete=models.CASCADE, related_name="log")

    class Meta(TransitionLog.Meta):
        verbose_name = _("晋级审批记录")
        verbose_name_plural = _("晋级审批记录")


# -- the reserve pool -----------------------------------------------------------------------------
class CandidateSource(models.TextChoices):
    ORG = "org", _("党组织推荐")
    OPEN = "open", _("公开选拔")
    GRADUATE = "graduate", _("高校毕业生")
    VETERAN = "veteran", _("退役军人")
    RESIDENT = "resident", _("优秀居民骨干")


class CandidateStatus(models.TextChoices):
    POOL = "pool", _("在库")
    APPOINTED = "appointed", _("已选用")
    LEFT = "left", _("已出库")


class ReserveCandidate(models.Model):
    """社区后备人才库: a candidate for the two committees, with where they came from and how they were
    assessed."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    community = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+")
    area_path = PathCopyField(editable=False)
    name = models.CharField(_("姓名"), max_length=50)
    birth_date = models.DateField(_("出生日期"))
    education = models.CharField(_("学历"), max_length=10, choices=Education.choices)
    is_party_member = models.BooleanField(_("党员"), default=False)
    mobile = models.CharField(_("手机号"), max_length=11, blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=CandidateSource.choices)
    assessment = models.TextField(_("考察意见"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=CandidateStatus.choices, default=CandidateStatus.POOL)
    added_on = models.DateField(_("入库日期"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("后备人才")
        verbose_name_plural = _("后备人才")
        ordering = ["area_path", "-added_on", "-id"]
        indexes = [models.Index(fields=["area_path", "added_on", "id"], name="workforce_reserve_list")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.area_path = self.community.path
        super().save(*args, **kwargs)

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return _area_q(scope)

    @property
    def mobile_masked(self) -> str:
        return mask_mobile(self.mobile)


# -- training ---------------------------------------------------------------------------------------
class CourseKind(models.TextChoices):
    CLASS = "class", _("社区基层干部培训班")
    LECTURE = "lecture", _("党建大讲堂")
    BRANCH = "branch", _("送学下基层（分校课程）")


class Course(models.Model):
    """A course of a district's catalogue (or of a subdistrict's branch school)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    area = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("主办"))
    area_path = PathCopyField(editable=False)
    name = models.CharField(_("课程名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=CourseKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    organizer = models.CharField(_("承办"), max_length=100, blank=True)
    description = models.TextField(_("简介"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("培训课程")
        verbose_name_plural = _("培训课程")
        ordering = ["-year", "area_path", "name", "id"]
        indexes = [models.Index(fields=["year", "name", "id"], name="workforce_course_list")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.area_path = self.area.path
        super().save(*args, **kwargs)

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        # A course is open to every worker under its host, and a worker sees the courses of the nodes
        # above them (the district's catalogue): the scope's path and its ancestors' paths.
        if not scope.area_path:
            return NOTHING
        from dangjian.core.tree import ancestor_paths

        path = scope.area_path
        mine = [*ancestor_paths(path), path]
        return Q(area_path__in=mine) | prefix_q("area_path", path)


class Session(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("本次内容"), max_length=100)
    starts_at = models.DateTimeField(_("开始时间"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    hours = models.DecimalField(
        _("学时"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("2.0"),
        validators=[MinValueValidator(Decimal("0.5"))],
    )
    attended = models.PositiveIntegerField(_("签到人数"), default=0)  # kept by the check-in service

    class Meta:
        verbose_name = _("培训场次")
        verbose_name_plural = _("培训场次")
        ordering = ["course", "starts_at", "pk"]
        constraints = [models.CheckConstraint(condition=Q(hours__gt=0), name="workforce_session_hours")]

    def __str__(self) -> str:
        return self.title


class AttendanceMethod(models.TextChoices):
    QR = "qr", _("扫码签到")
    ORGANIZER = "organizer", _("组织者登记")


class Attendance(models.Model):
    """A worker at a session: once (a constraint decides two scans racing)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="attendances")
    area_path = PathCopyField()
    method = models.CharField(_("方式"), max_length=10, choices=AttendanceMethod.choices)
    hours = models.DecimalField(_("学时"), max_digits=4, decimal_places=1)
    at = models.DateTimeField(_("签到时间"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("培训签到")
        verbose_name_plural = _("培训签到")
        ordering = ["session", "at", "pk"]
        constraints = [models.UniqueConstraint(fields=["session", "worker"], name="workforce_attend_once")]

    def __str__(self) -> str:
        return f"{self.worker} @ {self.session}"


class TrainingYear(models.Model):
    """A worker's training hours in a year, kept by the attendance service in its transaction (the
    hours list pages these rows, never sums attendances)."""

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="training_years")
    area_path = PathCopyField()
    year = models.PositiveSmallIntegerField(_("年度"))
    sessions = models.PositiveIntegerField(_("场次"), default=0)
    hours = models.DecimalField(_("学时"), max_digits=7, decimal_places=1, default=Decimal(0))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("年度培训学时")
        verbose_name_plural = _("年度培训学时")
        indexes = [models.Index(fields=["year", "hours", "id"], name="workforce_training_list")]
        constraints = [models.UniqueConstraint(fields=["worker", "year"], name="workforce_training_year_once")]

    def __str__(self) -> str:
        return f"{self.worker} {self.year}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return _area_q(scope)
