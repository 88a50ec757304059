"""吹哨报到: a community (or the owner, or the street chief) summons departments to a case by a time;
each summoned department reports in order — acknowledge, attend, act — and the whistle closes when all
have acted. The subdistrict can escalate an open whistle to the district.

Blowing and escalating are case steps (taken through the workflow engine, so the case's version,
log and audit move together). A department's report changes only its Summons row: it is written under
a lock on that row and logged as a REPORT step without bumping the case's version, so a report never
makes a dispatcher's open form stale.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.roles import Role
from dangjian.audit.services import Action, audit_record
from dangjian.core.scoping import Scope, active_role, active_scope
from dangjian.core.workflow import TransitionRefused, take_step
from dangjian.units.models import Department

from ..models import Case, CaseDepartment, Summons, Whistle, WhistleLevel
from ..permissions import may_escalate_whistles
from ..workflow import CASE_FLOW, OPEN_STATUSES, Party, Step

REPORT_STAGES = ("acknowledge", "attend", "act")
STAGE_FIELD = {"acknowledge": "acknowledged_at", "attend": "attended_at", "act": "acted_at"}
# A clock a few minutes fast on a phone should not refuse a report made "now".
CLOCK_SKEW = datetime.timedelta(minutes=5)
MAX_SUMMONED = 12


def stage_label(stage: str) -> str:
    return str({"acknowledge": _("响应"), "attend": _("到场"), "act": _("处置")}[stage])


def level_for(actor: Any) -> str:
    """The level a whistle is blown at: the blower's own level."""
    role = active_role(actor)
    if role == Role.DISTRICT_ADMIN:
        return WhistleLevel.DISTRICT
    if role == Role.SUBDISTRICT_ADMIN:
        return WhistleLevel.SUBDISTRICT
    return WhistleLevel.COMMUNITY


def departments_for_case(case: Case) -> QuerySet:
    """Departments that may be summoned to `case`: those serving its place or an area above it."""
    return Department.objects.filter(Department.scope_q(Scope(area_path=case.area_path))).order_by("area__path", "name")


def may_blow(actor: Any, case: Case) -> bool:
    move = CASE_FLOW.move(case.status, Step.WHISTLE)
    return move is not None and bool(CASE_FLOW.parties_for(actor, case) & move.parties)


def may_escalate(actor: Any, whistle: Whistle) -> bool:
    if not may_escalate_whistles(actor):
        return False
    if whistle.level == WhistleLevel.DISTRICT or whistle.closed_at is not None:
        return False
    return whistle.case.status in OPEN_STATUSES and bool(
        CASE_FLOW.parties_for(actor, whistle.case) & {Party.SUPERVISOR}
    )


def _clean_departments(case: Case, departments: Iterable[Any]) -> list[Department]:
    chosen = list(dict.fromkeys(departments))
    if not chosen:
        raise ValidationError({"departments": _("请至少选择一个要召集的部门。")})
    if len(chosen) > MAX_SUMMONED:
        raise ValidationError({"departments": _("一次最多召集 %(n)s 个部门。") % {"n": MAX_SUMMONED}})
    ids = [d.pk if isinstance(d, Department) else d for d in chosen]
    allowed = {d.pk: d for d in departments_for_case(case).filter(pk__in=ids)}
    missing = [i for i in ids if i not in allowed]
    if missing:
        raise ValidationError({"departments": _("所选部门不服务该事件所在地，不能召集。")})
    return [allowed[i] for i in ids]


def _clean_report_by(report_by: datetime.datetime, now: datetime.datetime) -> datetime.datetime:
    if report_by is None:
        raise ValidationError({"report_by": _("请填写报到时限。")})
    if timezone.is_naive(report_by):
        report_by = timezone.make_aware(report_by, timezone.get_current_timezone())
    if report_by <= now:
        raise ValidationError({"report_by": _("报到时限应晚于现在。")})
    if report_by > now + datetime.timedelta(days=30):
        raise ValidationError({"report_by": _("报到时限不能超过 30 天。")})
    return report_by


def _create_whistle(
    *,
    actor: Any,
    case: Case,
    level: str,
    departments: list[Department],
    report_by: datetime.datetime,
    reason: str,
    escalated_from: Whistle | None,
) -> Whistle:
    whistle = Whistle.objects.create(
        case=case, level=level, blown_by=actor, report_by=report_by, reason=reason, escalated_from=escalated_from
    )
    Summons.objects.bulk_create([Summons(whistle=whistle, department=d) for d in departments])
    # A summoned department may read the case from now on (Case.scope_q).
    CaseDepartment.objects.bulk_create(
        [CaseDepartment(case=case, department=d) for d in departments], ignore_conflicts=True
    )
    return whistle


def _summary(departments: list[Department], report_by: datetime.datetime) -> str:
    return _("召集%(d)s，报到时限 %(t)s") % {
        "d": "、".join(d.name for d in departments),
        "t": timezone.localtime(report_by).strftime("%Y-%m-%d %H:%M"),
    }


@transaction.atomic
def whistle_blow(
    *,
    actor: Any,
    case: Case,
    departments: Iterable[Any],
    report_by: datetime.datetime,
    reason: str,
    version: int | None = None,
) -> Whistle:
    """吹哨: summon `departments` to `case`, each to report by `report_by`."""
    now = timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请写明吹哨事由。")})
    if not getattr(actor, "is_authenticated", False):
        raise TransitionRefused(_("吹哨须由具体人员操作。"))
    chosen = _clean_departments(case, departments)
    report_by = _clean_report_by(report_by, now)
    level = level_for(actor)
    created: list[Whistle] = []

    def summon(locked: Case, _from_status: str) -> None:
        # Inside the step, on the locked case and before step_taken: the figures count the summoned
        # departments with the step.
        if Whistle.objects.filter(case=locked, level=level, closed_at__isnull=True).exists():
            raise TransitionRefused(
                _("事件 %(n)s 已有未结束的%(level)s，请在吹哨报到看板跟进。")
                % {"n": locked.number, "level": WhistleLevel(level).label}
            )
        created.append(
            _create_whistle(
                actor=actor,
                case=locked,
                level=level,
                departments=chosen,
                report_by=report_by,
                reason=reason,
                escalated_from=None,
            )
        )

    locked = take_step(
        CASE_FLOW,
        actor=actor,
        obj=case,
        step=Step.WHISTLE,
        version=version,
        note=_summary(chosen, report_by),
        public=True,
        after=summon,
    )
    whistle = created[0]
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=whistle,
        object_repr=_("吹哨：%(n)s") % {"n": locked.number},
        changes={
            "level": [None, str(WhistleLevel(level).label)],
            "departments": [None, [d.name for d in chosen]],
            "report_by": [None, timezone.localtime(report_by).isoformat()],
            "reason": [None, reason[:200]],
        },
        area_path=locked.area_path,
    )
    return whistle


@transaction.atomic
def whistle_escalate(
    *,
    actor: Any,
    whistle: Whistle,
    departments: Iterable[Any],
    report_by: datetime.datetime,
    reason: str,
    version: int | None = None,
) -> Whistle:
    """The street chief escalates an open whistle to the district: a new district-level whistle."""
    now = timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请写明上报理由。")})
    if not may_escalate_whistles(actor):
        raise TransitionRefused(_("只有街道（街长）可以将吹哨上报区级。"))
    source = Whistle.objects.select_for_update(of=("self",)).select_related("case").get(pk=whistle.pk)
    if source.level == WhistleLevel.DISTRICT:
        raise TransitionRefused(_("该吹哨已是区级，不能再上报。"))
    if source.closed_at is not None:
        raise TransitionRefused(_("该吹哨的各部门均已处置，吹哨已结束，不能上报。"))
    if source.escalations.exists():
        raise TransitionRefused(_("该吹哨已上报区级，请勿重复上报。"))
    case = source.case
    chosen = _clean_departments(case, departments)
    report_by = _clean_report_by(report_by, now)
    created: list[Whistle] = []

    def summon(locked: Case, _from_status: str) -> None:
        created.append(
            _create_whistle(
                actor=actor,
                case=locked,
                level=WhistleLevel.DISTRICT,
                departments=chosen,
                report_by=report_by,
                reason=reason,
                escalated_from=source,
            )
        )

    locked = take_step(
        CASE_FLOW,
        actor=actor,
        obj=case,
        step=Step.ESCALATE,
        version=version,
        note=_("吹哨上报区级：%(s)s") % {"s": _summary(chosen, report_by)},
        public=True,
        after=summon,
    )
    escalated = created[0]
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=escalated,
        object_repr=_("吹哨上报区级：%(n)s") % {"n": locked.number},
        changes={
            "escalated_from": [None, str(source.public_id)],
            "departments": [None, [d.name for d in chosen]],
            "report_by": [None, timezone.localtime(report_by).isoformat()],
            "reason": [None, reason[:200]],
        },
        area_path=locked.area_path,
    )
    return escalated


def may_report(actor: Any, summons: Summons) -> bool:
    """Staff of the summoned department (in that role) report for it."""
    if not getattr(actor, "is_authenticated", False):
        return False
    scope = active_scope(actor)
    return active_role(actor) == Role.DEPARTMENT_STAFF and scope.department_id == summons.department_id


def next_stage(summons: Summons) -> str | None:
    for stage in REPORT_STAGES:
        if getattr(summons, STAGE_FIELD[stage]) is None:
            return stage
    return None


@transaction.atomic
def summons_report(
    *, actor: Any, summons: Summons, what: str, note: str = "", at: datetime.datetime | None = None
) -> Summons:
    """A summoned department reports one stage: acknowledge, then attend, then act (in that order).

    `at` is when it happened (default now): not in the future, not before the whistle, not before
    the previous stage."""
    if what not in REPORT_STAGES:
        raise ValidationError({"what": _("未知的报到类型。")})
    now = timezone.now()
    # The whistle's row first: reports on one whistle queue behind each other, so the last of two
    # departments acting at once sees the other's report and closes the whistle. `of` keeps the case
    # row (joined for reading) unlocked: a report never waits for, or blocks, a dispatcher.
    list(Whistle.objects.select_for_update(of=("self",)).filter(pk=summons.whistle_id).values_list("pk"))
    locked = (
        Summons.objects.select_for_update(of=("self",))
        .select_related("whistle", "whistle__case", "department")
        .get(pk=summons.pk)
    )
    whistle, case = locked.whistle, locked.whistle.case
    if not may_report(actor, locked):
        raise TransitionRefused(_("只有被召集部门（%(d)s）的工作人员可以报到。") % {"d": locked.department.name})
    if case.status not in OPEN_STATUSES:
        raise TransitionRefused(
            _("事件 %(n)s 当前状态为「%(s)s」，无需再报到。") % {"n": case.number, "s": case.get_status_display()}
        )
    if whistle.closed_at is not None:
        raise TransitionRefused(_("该吹哨已结束，无需再报到。"))
    expected = next_stage(locked)
    if expected is None:
        raise TransitionRefused(_("%(d)s 已完成全部报到。") % {"d": locked.department.name})
    if what != expected:
        done = getattr(locked, STAGE_FIELD[what]) is not None
        if done:
            message = _("%(d)s 已经%(stage)s过了。") % {"d": locked.department.name, "stage": stage_label(what)}
        else:
            message = _("请先%(first)s，再%(stage)s。") % {"first": stage_label(expected), "stage": stage_label(what)}
        raise TransitionRefused(message)
    when = at or now
    if timezone.is_naive(when):
        when = timezone.make_aware(when, timezone.get_current_timezone())
    if when > now + CLOCK_SKEW:
        raise ValidationError({"at": _("时间不能晚于现在。")})
    if when < whistle.blown_at:
        raise ValidationError({"at": _("时间不能早于吹哨时间。")})
    previous = [getattr(locked, STAGE_FIELD[s]) for s in REPORT_STAGES[: REPORT_STAGES.index(what)]]
    if previous and when < previous[-1]:
        raise ValidationError({"at": _("时间不能早于上一步的时间。")})
    note = (note or "").strip()[:500]
    setattr(locked, STAGE_FIELD[what], when)
    locked.reported_by = actor
    fields = [STAGE_FIELD[what], "reported_by"]
    if note:
        locked.note = note
        fields.append("note")
    locked.save(update_fields=fields)
    late = when > whistle.report_by
    text = _("%(d)s 已%(stage)s（%(t)s）") % {
        "d": locked.department.name,
        "stage": stage_label(what),
        "t": timezone.localtime(when).strftime("%m-%d %H:%M"),
    }
    if late:
        text += _("，晚于报到时限")
    if note:
        text += f"：{note}"
    closed = False
    if what == "act" and not whistle.summonses.filter(acted_at__isnull=True).exclude(pk=locked.pk).exists():
        # The whistle ends when every summoned department has acted (reports on it are serialized by
        # the whistle's row lock above; the conditional update closes it once).
        closed = bool(Whistle.objects.filter(pk=whistle.pk, closed_at__isnull=True).update(closed_at=now))
        if closed:
            whistle.closed_at = now
            text += _("；各部门均已处置，吹哨结束")
    CASE_FLOW.log(
        case, actor=actor, step=Step.REPORT, from_status=case.status, to_status=case.status, note=text, public=False
    )
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=locked,
        object_repr=_("部门报到：%(n)s %(d)s") % {"n": case.number, "d": locked.department.name},
        changes={STAGE_FIELD[what]: [None, timezone.localtime(when).isoformat()], "late": [None, late]}
        | ({"whistle_closed": [None, True]} if closed else {})
        | ({"note": [None, note[:200]]} if note else {}),
        area_path=case.area_path,
    )
    return locked


# -- reading ---------------------------------------------------------------------------------------
def whistles_visible_to(user: Any) -> QuerySet:
    """Whistles on cases the user may read (the case list's rule: scope, or owned wherever it went)."""
    from ..selectors import workbench_cases

    return Whistle.objects.filter(case__in=workbench_cases(user).values("pk"))


def summonses_of_department(department_id: int) -> QuerySet:
    return Summons.objects.filter(department_id=department_id)


def summons_state(summons: Summons, now: datetime.datetime) -> dict[str, Any]:
    """How a summoned department stands: its next stage, whether it is past the time, late stages."""
    report_by = summons.whistle.report_by
    stages = []
    for stage in REPORT_STAGES:
        at = getattr(summons, STAGE_FIELD[stage])
        stages.append({"key": stage, "label": stage_label(stage), "at": at, "late": bool(at and at > report_by)})
    pending = next_stage(summons)
    past = now > report_by
    if pending is None:
        code, label = "done", _("已处置")
    elif pending == "acknowledge":
        code, label = ("missing", _("超时未报到")) if past else ("waiting", _("待报到"))
    else:
        code = "behind" if past else "progress"
        label = _("已到场，待处置") if pending == "act" else _("已响应，待到场")
        if past:
            label = _("超时未处置") if pending == "act" else _("超时未到场")
    return {
        "stages": stages,
        "next": pending,
        "next_label": stage_label(pending) if pending else "",
        "code": code,
        "label": label,
        "late": any(s["late"] for s in stages),
        "red": code in ("missing", "behind"),
    }


def open_whistle_q() -> Q:
    return Q(closed_at__isnull=True, case__status__in=sorted(OPEN_STATUSES))
