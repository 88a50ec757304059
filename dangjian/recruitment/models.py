"""发展党员: a person's path from application to full membership in one branch, the district's
statutory intervals (data with the defaults of 中国共产党发展党员工作细则, 2014), the branch general
meeting votes, the documents of the file, and the time each stage took (for the figures).

A person in the pipeline (`Recruit`) belongs to one branch (`org`); the territory path of the branch
(`area_path`) and its organization path (`org_path`) scope it. The workflow is `workflow.RECRUIT_FLOW`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import TransitionLog
from dangjian.core.scoping import NOTHING, Scope, ScopedManager, prefix_q
from dangjian.core.text import mask_mobile
from dangjian.core.tree import PathCopyField
from dangjian.core.validators import mask_citizen_id
from dangjian.meetings.models import rule_fields


class Stage(models.TextChoices):
    APPLICANT = "applicant", _("入党申请人")
    ACTIVIST = "activist", _("入党积极分子")
    CANDIDATE = "candidate", _("发展对象")
    PLANNED = "planned", _("列入发展计划")
    PENDING_APPROVAL = "pending_approval", _("待上级党委审批")
    PROBATIONARY = "probationary", _("预备党员")
    PENDING_CONVERSION = "pending_conversion", _("待上级党委批准转正")
    FULL = "full", _("正式党员")
    ENDED = "ended", _("已终止")


OPEN_STAGES = [s for s in Stage.values if s not in (Stage.FULL, Stage.ENDED)]


class NoticeKind(models.TextChoices):
    CANDIDATE = "candidate", _("拟确定发展对象公示")
    ADMIT = "admit", _("拟接收预备党员公示")
    CONVERT = "convert", _("拟转正公示")


class VoteKind(models.TextChoices):
    ADMIT = "admit", _("接收预备党员")
    CONVERT = "convert", _("预备党员转正")
    DISQUALIFY = "disqualify", _("取消预备党员资格")


class RecruitRules(models.Model):
    """One district's rules for member development: data, the defaults those of the 2014 细则.

    Intervals are whole months (the same day of the month, or the month's last day) or days; a 公示
    of `notice_days` working days counts Monday–Friday (the district lengthens it around holidays)."""

    district = models.OneToOneField(
        "territory.Area",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("区"),
        limit_choices_to={"level": "district"},
    )
    min_age = models.PositiveSmallIntegerField(_("申请入党最低年龄（周岁）"), default=18)
    talk_days = models.PositiveSmallIntegerField(_("收到申请后谈话期限（天）"), default=30)
    activist_months = models.PositiveSmallIntegerField(_("积极分子培养考察至少（月）"), default=12)
    training_hours = models.PositiveSmallIntegerField(_("发展对象集中培训至少（学时）"), default=24)
    notice_days = models.PositiveSmallIntegerField(_("公示天数"), default=5)
    notice_working_days = models.BooleanField(_("公示按工作日计算"), default=True)
    introducers = models.PositiveSmallIntegerField(_("入党介绍人人数"), default=2)
    approval_months = models.PositiveSmallIntegerField(_("上级党委审批期限（月）"), default=3)
    probation_months = models.PositiveSmallIntegerField(_("预备期（月）"), default=12)
    extend_min_months = models.PositiveSmallIntegerField(_("延长预备期至少（月）"), default=6)
    extend_max_months = models.PositiveSmallIntegerField(_("延长预备期至多（月）"), default=12)
    # 支部党员大会: more than half of the full members entitled to vote present; passed by more than
    # half of the full members entitled to vote (细则 第二十二条).
    locals().update(rule_fields("quorum", _("表决法定人数"), num=1, den=2, strict=True, base="due"))
    locals().update(rule_fields("majority", _("表决通过"), num=1, den=2, strict=True, base="due"))

    class Meta:
        verbose_name = _("发展党员规则")
        verbose_name_plural = _("发展党员规则")
        constraints = [
            models.CheckConstraint(condition=Q(quorum_den__gt=0, majority_den__gt=0), name="recruitment_rule_den_pos"),
            models.CheckConstraint(
                condition=Q(extend_min_months__lte=models.F("extend_max_months")), name="recruitment_extend_order"
            ),
        ]

    def __str__(self) -> str:
        return str(_("发展党员规则"))


def _officer_orgs(user_id: int) -> models.QuerySet:
    from dangjian.orgs.models import OrgOfficer

    today = timezone.localdate()
    return OrgOfficer.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=today), user_id=user_id, started_on__lte=today
    ).values("org_id")


class Recruit(models.Model):
    """A person on the way to membership in one branch, with the date of every step taken."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    org = models.ForeignKey("orgs.PartyOrg", on_delete=models.PROTECT, related_name="+", verbose_name=_("党支部"))
    area_path = PathCopyField(editable=False)
    org_path = PathCopyField(editable=False, tree="orgs.PartyOrg")
    name = models.CharField(_("姓名"), max_length=50)
    sex = models.CharField(_("性别"), max_length=8, blank=True)
    birth_date = models.DateField(_("出生日期"))
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True)
    mobile = models.CharField(_("手机号"), max_length=11, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("本人账号"),
    )
    status = models.CharField(_("阶段"), max_length=24, choices=Stage.choices, default=Stage.APPLICANT)
    version = models.PositiveIntegerField(default=1)
    stage_since = models.DateField(_("进入本阶段日期"))
    next_due = models.DateField(_("下一步最早或最迟日期"))
    applied_on = models.DateField(_("递交入党申请书日期"))
    talked_on = models.DateField(_("谈话日期"), null=True, blank=True)
    activist_on = models.DateField(_("确定为入党积极分子日期"), null=True, blank=True)
    candidate_on = models.DateField(_("确定为发展对象日期"), null=True, blank=True)
    introducer_1 = models.ForeignKey(
        "people.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("入党介绍人")
    )
    introducer_2 = models.ForeignKey(
        "people.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("入党介绍人")
    )
    reviewed_on = models.DateField(_("政治审查日期"), null=True, blank=True)
    review_result = models.CharField(_("政治审查结论"), max_length=200, blank=True)
    trained_on = models.DateField(_("集中培训结业日期"), null=True, blank=True)
    training_hours = models.PositiveSmallIntegerField(_("集中培训学时"), default=0)
    planned_on = models.DateField(_("列入发展计划日期"), null=True, blank=True)
    notice_kind = models.CharField(_("公示"), max_length=12, choices=NoticeKind.choices, blank=True)
    notice_from = models.DateField(_("公示开始"), null=True, blank=True)
    notice_until = models.DateField(_("公示结束"), null=True, blank=True)
    admitted_on = models.DateField(_("支部大会接收日期"), null=True, blank=True)
    approved_on = models.DateField(_("上级党委审批日期"), null=True, blank=True)
    probation_ends_on = models.DateField(_("预备期满日期"), null=True, blank=True)
    extended_months = models.PositiveSmallIntegerField(_("延长预备期（月）"), default=0)
    conversion_voted_on = models.DateField(_("支部大会讨论转正日期"), null=True, blank=True)
    converted_on = models.DateField(_("转正日期"), null=True, blank=True)
    ended_on = models.DateField(_("终止日期"), null=True, blank=True)
    member = models.OneToOneField(
        "people.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("党员档案")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("发展对象档案")
        verbose_name_plural = _("发展对象档案")
        indexes = [
            # The board: one branch's (or one territory's) people in one stage, next due first.
            models.Index(fields=["org", "status", "next_due", "id"], name="recruit_org_stage_due"),
            models.Index(fields=["area_path", "status", "next_due", "id"], name="recruit_area_stage_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(introducer_1__isnull=True) | ~Q(introducer_1=models.F("introducer_2")),
                name="recruitment_two_introducers",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.org_path = self.org.path
        self.area_path = self.org.area.path
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("recruitment:detail", args=[self.public_id])

    @property
    def masked_mobile(self) -> str:
        return mask_mobile(self.mobile)

    @property
    def masked_id_number(self) -> str:
        return mask_citizen_id(self.id_number) if self.id_number else ""

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.area_path:
            return prefix_q("area_path", scope.area_path)
        if scope.org_path:
            return prefix_q("org_path", scope.org_path)
        if scope.user_id:  # a branch officer sees the branch's pipeline; an applicant their own file
            return Q(org_id__in=_officer_orgs(scope.user_id)) | Q(user_id=scope.user_id)
        return NOTHING


class RecruitLog(TransitionLog):
    recruit = models.ForeignKey(Recruit, on_delete=models.CASCADE, related_name="log")

    class Meta(TransitionLog.Meta):
        verbose_name = _("发展党员流转记录")
        verbose_name_plural = _("发展党员流转记录")


class BranchVote(models.Model):
    """支部党员大会 voting on an admission or a conversion: the counts and the verdict under the rules."""

    recruit = models.ForeignKey(Recruit, on_delete=models.CASCADE, related_name="votes")
    kind = models.CharField(_("表决事项"), max_length=12, choices=VoteKind.choices)
    held_on = models.DateField(_("会议日期"))
    due = models.PositiveSmallIntegerField(_("应到会有表决权的正式党员"))
    present = models.PositiveSmallIntegerField(_("实到会有表决权的正式党员"))
    votes_for = models.PositiveSmallIntegerField(_("赞成"))
    against = models.PositiveSmallIntegerField(_("反对"))
    abstain = models.PositiveSmallIntegerField(_("弃权"))
    passed = models.BooleanField(_("通过"))
    rule_text = models.CharField(_("表决规则"), max_length=200)
    meeting = models.ForeignKey(
        "meetings.Meeting", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("会议")
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("支部大会表决")
        verbose_name_plural = _("支部大会表决")
        ordering = ["held_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(present__lte=models.F("due")), name="recruitment_vote_present_le_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on}"


class DocKind(models.TextChoices):
    APPLICATION = "application", _("入党申请书")
    TALK = "talk", _("谈话记录")
    REPORT = "report", _("思想汇报")
    REVIEW = "review", _("政审材料")
    TRAINING = "training", _("培训结业证明")
    VOLUNTEER = "volunteer", _("入党志愿书")
    NOTICE = "notice", _("公示材料")
    PLEDGE = "pledge", _("入党宣誓记录")
    CONVERSION = "conversion", _("转正申请书")
    OTHER = "other", _("其他")


class Document(models.Model):
    recruit = models.ForeignKey(Recruit, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("材料类别"), max_length=16, choices=DocKind.choices)
    title = models.CharField(_("标题"), max_length=100)
    dated = models.DateField(_("日期"))
    file = models.FileField(_("文件"), upload_to="recruitment/%Y/%m/", blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("档案材料")
        verbose_name_plural = _("档案材料")
        ordering = ["dated", "pk"]

    def __str__(self) -> str:
        return self.title


class StageSpan(models.Model):
    """How long a person spent in one stage (written when they leave it): the figures' average times."""

    recruit = models.ForeignKey(Recruit, on_delete=models.CASCADE, related_name="spans")
    stage = models.CharField(_("阶段"), max_length=24, choices=Stage.choices)
    entered_on = models.DateField(_("进入日期"))
    left_on = models.DateField(_("离开日期"))
    area_path = PathCopyField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("阶段用时")
        verbose_name_plural = _("阶段用时")
        constraints = [
            models.UniqueConstraint(fields=["recruit", "stage"], name="recruitment_span_once"),
            models.CheckConstraint(condition=Q(left_on__gte=models.F("entered_on")), name="recruitment_span_order"),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} {self.entered_on}–{self.left_on}"

    @property
    def days(self) -> int:
        return (self.left_on - self.entered_on).days
