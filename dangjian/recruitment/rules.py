"""The district's rules for member development and the date arithmetic of its intervals.

Defaults (中国共产党发展党员工作细则, 2014; a district edits its own row in the admin):
- an applicant is at least 18 at application; the branch talks with them within 30 days (a due date);
- at least 12 months as 入党积极分子 before being made a 发展对象 (细则 第十四条 "一年以上");
- 集中培训 of at least 24 学时 (第十七条 "一般不少于三天或二十四个学时"); two full members as introducers;
- three 公示 (拟确定发展对象, 拟接收预备党员, 拟转正) of 5 working days each (Monday–Friday; local
  practice, the 细则 names no length); the next step may be taken the day after the 公示 ends;
- the higher committee decides within 3 months of the branch meeting (a due date); a year of probation
  from the day the branch meeting admitted the member; an extension of 6 to 12 months, once;
- the branch general meeting: more than half of the full members entitled to vote present, passed by
  more than half of them (第二十二条), as `meetings.models.Rule`s.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dangjian.core.periods import add_months
from dangjian.core.tree import STEP
from dangjian.meetings.models import Rule

from .models import RecruitRules


def rules_for(area_path: str) -> RecruitRules:
    """The district's rules; the defaults (unsaved) when it has not set its own."""
    found = RecruitRules.objects.filter(district__path=area_path[:STEP]).first()
    return found or RecruitRules()


def add_years(day: datetime.date, years: int) -> datetime.date:
    return add_months(day, 12 * years)


def notice_end(start: datetime.date, rules: RecruitRules) -> datetime.date:
    """The last day of a 公示 that starts on `start` (counting `start` when it is a working day)."""
    days = max(1, rules.notice_days)
    if not rules.notice_working_days:
        return start + datetime.timedelta(days=days - 1)
    day, counted = start, 0
    while True:
        if day.weekday() < 5:
            counted += 1
            if counted == days:
                return day
        day += datetime.timedelta(days=1)


def age_on(birth: datetime.date, on: datetime.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def not_before(on: datetime.date, earliest: datetime.date | None, what: str, why: str) -> None:
    """Refuse `what` on `on` when it is earlier than `earliest`, naming the earliest date and the reason."""
    if earliest is not None and on < earliest:
        raise ValidationError(
            _("%(what)s最早可在 %(date)s 办理：%(why)s。") % {"what": what, "date": earliest.isoformat(), "why": why}
        )


def vote_rules(rules: RecruitRules) -> tuple[Rule, Rule]:
    return Rule.of(rules, "quorum"), Rule.of(rules, "majority")


def vote_verdict(rules: RecruitRules, *, due: int, present: int, votes_for: int) -> tuple[bool, str]:
    """Whether a branch meeting's vote passed, and the sentence that says why (the base is the members due)."""
    quorum, majority = vote_rules(rules)
    quorum_ok = quorum.met(present, due if quorum.base != "present" else present)
    base = present if majority.base == "present" else due
    passed = quorum_ok and majority.met(votes_for, base)
    text = _(
        "应到 %(due)s 人，实到 %(present)s 人（%(q)s，至少 %(qn)s 人）；赞成 %(f)s 票（%(m)s，至少 %(mn)s 票）"
    ) % {
        "due": due,
        "present": present,
        "q": str(quorum),
        "qn": quorum.needed(due),
        "f": votes_for,
        "m": str(majority),
        "mn": majority.needed(base),
    }
    return passed, text


def describe(rules: RecruitRules) -> list[tuple[str, Any]]:
    """The rules as the person's file lists them."""
    return [
        (_("申请入党最低年龄"), _("%(n)s 周岁") % {"n": rules.min_age}),
        (_("谈话期限"), _("收到申请后 %(n)s 天内") % {"n": rules.talk_days}),
        (_("积极分子培养考察"), _("至少 %(n)s 个月") % {"n": rules.activist_months}),
        (_("集中培训"), _("至少 %(n)s 学时") % {"n": rules.training_hours}),
        (
            _("公示"),
            (_("%(n)s 个工作日") if rules.notice_working_days else _("%(n)s 天")) % {"n": rules.notice_days},
        ),
        (_("入党介绍人"), _("%(n)s 名正式党员") % {"n": rules.introducers}),
        (_("预备期"), _("%(n)s 个月") % {"n": rules.probation_months}),
        (_("上级党委审批期限"), _("%(n)s 个月") % {"n": rules.approval_months}),
    ]
