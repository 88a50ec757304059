"""The meeting engine: a meeting owned by any object (an `owner_key` string such as
"deliberation.stage:12", plus the owning area for scoping), its agenda, roster, sign-in, votes,
minutes and the comments on them. It knows nothing of what owns it.

Quorum and majority are data on each meeting (copied from the owner's rules when it is called):
a fraction, "more than" or "at least", and the base it is taken of.
"""

from __future__ import annotations

import uuid
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.models import TransitionLog
from dangjian.core.scoping import NOTHING, Scope, ScopedManager, prefix_q
from dangjian.core.tree import PathCopyField


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("筹备中")
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已散会")
    FROZEN = "minutes_frozen", _("纪要已定稿")


class Base(models.TextChoices):
    DUE = "due", _("应到人数")
    PRESENT = "present", _("实到人数")
    HOUSEHOLDS = "households", _("总户数")


class AttendeeRole(models.TextChoices):
    CHAIR = "chair", _("主持人")
    RECORDER = "recorder", _("记录人")
    MEMBER = "member", _("参会人员")
    OBSERVER = "observer", _("列席")


class SignInHow(models.TextChoices):
    QR = "qr", _("手机扫码")
    SECRETARY = "secretary", _("记录人代签")


class Choice(models.TextChoices):
    FOR = "for", _("同意")
    AGAINST = "against", _("反对")
    ABSTAIN = "abstain", _("弃权")


def rule_fields(prefix: str, verbose: Any, *, num: int, den: int, strict: bool, base: str) -> dict[str, models.Field]:
    """The four columns of one fraction rule (used by meetings and by owners' rule tables)."""
    return {
        f"{prefix}_num": models.PositiveSmallIntegerField(_("%s分子") % verbose, default=num),
        f"{prefix}_den": models.PositiveSmallIntegerField(_("%s分母") % verbose, default=den),
        f"{prefix}_strict": models.BooleanField(_("%s须超过（否则为不少于）") % verbose, default=strict),
        f"{prefix}_base": models.CharField(_("%s基数") % verbose, max_length=12, choices=Base.choices, default=base),
    }


class Meeting(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("会议类型"), max_length=40)  # the owner's code, e.g. "members_meeting"
    kind_label = models.CharField(_("会议类型名称"), max_length=60)
    owner_key = models.CharField(_("所属事项"), max_length=80, db_index=True)
    area = models.ForeignKey("territory.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("所属属地"))
    area_path = PathCopyField(db_index=True, editable=False)
    title = models.CharField(_("会议名称"), max_length=120)
    starts_at = models.DateTimeField(_("计划开始时间"))
    place = models.CharField(_("地点"), max_length=120, blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("主持人"),
    )
    recorder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("记录人"),
    )
    notice_days = models.PositiveSmallIntegerField(_("提前通知天数"), default=0)
    notice_sent_at = models.DateTimeField(_("通知发出时间"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=24, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    version = models.PositiveIntegerField(default=1)
    opened_at = models.DateTimeField(_("开会时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("散会时间"), null=True, blank=True)
    # Whole households, for a villagers' meeting whose quorum may be counted by households.
    households_total = models.PositiveIntegerField(_("总户数"), null=True, blank=True)
    households_present = models.PositiveIntegerField(_("到会户数"), null=True, blank=True)
    locals().update(rule_fields("quorum", _("法定人数"), num=1, den=2, strict=True, base=Base.DUE))
    locals().update(rule_fields("majority", _("表决通过"), num=1, den=2, strict=True, base=Base.PRESENT))
    # An alternative quorum on households (villagers' meeting: > 1/2 adults or >= 2/3 households); 0: none.
    households_quorum_num = models.PositiveSmallIntegerField(_("按户法定比例分子"), default=0)
    households_quorum_den = models.PositiveSmallIntegerField(_("按户法定比例分母"), default=1)
    present_at_close = models.PositiveIntegerField(_("散会时实到人数"), null=True, blank=True)
    due_at_close = models.PositiveIntegerField(_("散会时应到人数"), null=True, blank=True)
    quorum_met = models.BooleanField(_("达到法定人数"), null=True, blank=True)
    minutes = models.TextField(_("会议纪要"), blank=True)
    minutes_file = models.FileField(_("签字纪要（PDF/照片）"), upload_to="meetings/minutes/%Y/%m/", blank=True)
    comment_hours = models.PositiveSmallIntegerField(_("纪要意见期（小时）"), default=48)
    comment_until = models.DateTimeField(_("纪要意见截止"), null=True, blank=True)
    frozen_at = models.DateTimeField(_("纪要定稿时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-starts_at", "-pk"]
        indexes = [models.Index(fields=["area_path", "starts_at"], name="meetings_area_start")]
        constraints = [
            models.CheckConstraint(condition=Q(quorum_den__gt=0, majority_den__gt=0), name="meetings_rule_den_pos"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.area_path = self.area.path
        super().save(*args, **kwargs)

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.area_path:
            return prefix_q("area_path", scope.area_path)
        if scope.user_id:  # a member or resident sees the meetings they are on the roster of
            return Q(pk__in=Attendee.objects.filter(user_id=scope.user_id).values("meeting_id"))
        return NOTHING

    @property
    def quorum_rule(self) -> Rule:
        return Rule.of(self, "quorum")

    @property
    def majority_rule(self) -> Rule:
        return Rule.of(self, "majority")


class Rule:
    """A fraction of a base: "more than 1/2 of those present", "at least 2/3 of those due"."""

    def __init__(self, num: int, den: int, strict: bool, base: str):
        self.fraction, self.strict, self.base = Fraction(num, den), strict, base

    @classmethod
    def of(cls, row: Any, prefix: str) -> Rule:
        """The rule stored in `row`'s four `rule_fields` columns named by `prefix`."""
        return cls(*(getattr(row, f"{prefix}_{part}") for part in ("num", "den", "strict", "base")))

    def met(self, count: int, base_total: int) -> bool:
        if base_total <= 0:
            return False
        share = Fraction(count, base_total)
        return share > self.fraction if self.strict else share >= self.fraction

    def needed(self, base_total: int) -> int:
        """The least count that meets the rule."""
        return next((n for n in range(base_total + 1) if self.met(n, base_total)), base_total + 1)

    def __str__(self) -> str:
        word = _("超过") if self.strict else _("不少于")
        return f"{word}{Base(self.base).label}的{self.fraction.numerator}/{self.fraction.denominator}"


class MeetingLog(TransitionLog):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="log")

    class Meta(TransitionLog.Meta):
        verbose_name = _("会议记录")
        verbose_name_plural = _("会议记录")


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("序号"), default=1)
    title = models.CharField(_("议题"), max_length=200)
    owner_key = models.CharField(_("关联事项"), max_length=80, blank=True)  # e.g. "deliberation.topic:5"
    needs_vote = models.BooleanField(_("需要表决"), default=True)
    notes = models.TextField(_("讨论记录"), blank=True)
    # A show of hands the recorder counted (None: the votes cast on phones are counted).
    hands_for = models.PositiveIntegerField(_("举手同意"), null=True, blank=True)
    hands_against = models.PositiveIntegerField(_("举手反对"), null=True, blank=True)
    hands_abstain = models.PositiveIntegerField(_("举手弃权"), null=True, blank=True)

    class Meta:
        verbose_name = _("议程")
        verbose_name_plural = _("议程")
        ordering = ["meeting", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class Attendee(models.Model):
    """One line of the roster: an account, or a named person without one (signed in by the recorder)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("账号"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    role = models.CharField(_("会议角色"), max_length=16, choices=AttendeeRole.choices, default=AttendeeRole.MEMBER)
    due = models.BooleanField(_("应到"), default=True)
    signed_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    signed_in_how = models.CharField(_("签到方式"), max_length=12, choices=SignInHow.choices, blank=True)
    absent_reason = models.CharField(_("缺席原因"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("参会人员")
        verbose_name_plural = _("参会人员")
        ordering = ["meeting", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"], condition=Q(user__isnull=False), name="meetings_attendee_user_once"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Vote(models.Model):
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="votes")
    attendee = models.ForeignKey(Attendee, on_delete=models.CASCADE, related_name="votes")
    choice = models.CharField(_("表决意见"), max_length=8, choices=Choice.choices)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("表决票")
        verbose_name_plural = _("表决票")
        constraints = [models.UniqueConstraint(fields=["item", "attendee"], name="meetings_vote_once")]

    def __str__(self) -> str:
        return self.get_choice_display()


class MinutesComment(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="comments")
    attendee = models.ForeignKey(Attendee, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(_("意见"), max_length=500)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("纪要意见")
        verbose_name_plural = _("纪要意见")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.text[:30]
