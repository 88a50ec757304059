"""四议两公开: a run over one or more matters, a meeting per stage held to the district's rules, each
stage passed only on its meeting's quorum and vote, then the two disclosures and the close."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.services import audit_record
from dangjian.core.scoping import acting_user
from dangjian.core.workflow import take_step
from dangjian.meetings import counting
from dangjian.meetings import services as meeting_services
from dangjian.meetings.models import Meeting, MeetingStatus
from dangjian.territory.models import Level

from ..models import Disclosure, DisclosureKind, Matter, MatterKind, RuleKey, Run, RunMeeting, RunStatus, Stage
from ..permissions import require_manager
from ..rules import district_rules, rules_of_stage
from ..workflow import CREATE, RUN_FLOW, STATUS_STAGE, STEP_STAGE, RunStep

STAGE_MEETING: dict[str, tuple[str, str]] = {
    Stage.PROPOSE: ("party_committee", _("党组织会议")),
    Stage.CONSULT: ("two_committees", _("两委联席会议")),
    Stage.REVIEW: ("members_meeting", _("党员大会")),
    Stage.RESOLVE: ("representatives_meeting", _("居民代表会议")),
}


def parse_amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value).replace(",", "").strip() or "0")
    except InvalidOperation:
        raise ValidationError({"amount": _("金额「%(v)s」不是数字，请填写元，如 120000.50。") % {"v": value}}) from None
    if amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({"amount": _("金额须为不小于 0 的数，最多两位小数。")})
    return amount


def _recount(run: Run) -> None:
    totals = Matter.objects.filter(run=run).aggregate(n=Count("pk"), total=Sum("amount"))
    run.matter_count, run.amount_total = totals["n"], Decimal(totals["total"] or 0).quantize(Decimal("0.01"))
    run.save(update_fields=["matter_count", "amount_total", "updated_at"])


def _matter(run: Run, kind: MatterKind, title: str, amount: Any) -> Matter:
    if not title.strip():
        raise ValidationError({"title": _("请填写事项名称。")})
    if not kind.active or not run.area_path.startswith(kind.district.path):
        raise ValidationError({"kind": _("事项类别「%(k)s」不可用。") % {"k": kind.name}})
    return Matter.objects.create(run=run, kind=kind, title=title.strip(), amount=parse_amount(amount))


@transaction.atomic
def run_start(
    *, actor: Any, community: Any, title: str, matters: Iterable[dict[str, Any]], merged: bool = False, now: Any = None
) -> Run:
    """The Party organization proposes: a run with its matters (kind, title, amount in yuan)."""
    require_manager(actor, community.path, _("发起四议两公开"))
    if community.level != Level.COMMUNITY:
        raise ValidationError({"community": _("四议两公开在社区（村）进行。")})
    if not title.strip():
        raise ValidationError({"title": _("请填写名称。")})
    matters = list(matters)
    if not matters:
        raise ValidationError({"matters": _("至少登记一个决策事项。")})
    if merged and not district_rules(community).merge_allowed:
        raise ValidationError({"merged": _("本区未允许书记、主任一肩挑时合并前两议。")})
    run = Run.objects.create(
        community=community,
        title=title.strip(),
        merged=merged,
        started_at=now or timezone.now(),
        created_by=acting_user(actor),
    )
    for m in matters:
        _matter(run, m["kind"], m["title"], m.get("amount", 0))
    _recount(run)
    RUN_FLOW.log(run, actor=actor, step=CREATE, from_status="", to_status=run.status)
    audit_record(actor=acting_user(actor), action="create", obj=run, area_path=run.area_path)
    return run


@transaction.atomic
def matter_add(*, actor: Any, run: Run, kind: MatterKind, title: str, amount: Any) -> Matter:
    run = Run.objects.select_for_update().get(pk=run.pk)
    require_manager(actor, run.area_path, _("登记决策事项"))
    if run.status != RunStatus.PROPOSING:
        raise ValidationError(_("提议通过后不能再增加事项，请另行发起。"))
    matter = _matter(run, kind, title, amount)
    _recount(run)
    return matter


@transaction.atomic
def stage_meeting_call(
    *,
    actor: Any,
    run: Run,
    starts_at: datetime.datetime,
    roster: Iterable[dict[str, Any]],
    place: str = "",
    stage: str | None = None,
    assembly: bool = False,
    households_total: int | None = None,
) -> Meeting:
    """Call the meeting of the stage the run is in; a later stage is refused until this one passed."""
    run = Run.objects.select_for_update().select_related("community").get(pk=run.pk)
    require_manager(actor, run.area_path, _("召集会议"))
    current = STATUS_STAGE.get(run.status)
    if current is None:
        raise ValidationError(
            _("「%(r)s」当前为「%(s)s」，不需要再召开会议。") % {"r": run.title, "s": run.get_status_display()}
        )
    stage = stage or current
    if stage != current:
        raise ValidationError(
            _("「%(r)s」的上一步「%(prev)s」尚未通过，不能召开%(m)s。")
            % {"r": run.title, "prev": Stage(current).label, "m": STAGE_MEETING[stage][1]}
        )
    roster = [p for p in roster if p.get("user") is not None or (p.get("name") or "").strip()]
    if not roster:
        raise ValidationError({"roster": _("请填写应到会人员名单。")})
    if RunMeeting.objects.filter(
        run=run, stage=stage, meeting__status__in=[MeetingStatus.PLANNED, MeetingStatus.OPEN]
    ).exists():
        raise ValidationError(_("本环节已有一次会议尚未散会。"))
    rules = district_rules(run.community)
    kind, label = STAGE_MEETING[stage]
    key = stage
    if stage == Stage.RESOLVE and assembly:
        kind, label, key = "residents_assembly", _("居民会议"), RuleKey.ASSEMBLY
        if not households_total:
            raise ValidationError({"households_total": _("居民会议须填写本社区总户数。")})
    meeting = meeting_services.meeting_create(
        actor=actor,
        owner_key=f"deliberation.run:{run.pk}:{stage}",
        area=run.community,
        kind=kind,
        kind_label=str(label),
        title=f"{label}：{run.title}",
        starts_at=starts_at,
        place=place,
        recorder=acting_user(actor),
        notice_days=rules.notice_days if stage == Stage.REVIEW else 0,
        comment_hours=rules.comment_hours,
        households_total=households_total,
        agenda=[(run.title, f"deliberation.run:{run.pk}")],
        roster=roster,
        **rules_of_stage(run.community, key),
    )
    RunMeeting.objects.create(run=run, stage=stage, meeting=meeting)
    return meeting


def stage_refusal(run: Run, stage: str) -> tuple[str | None, RunMeeting | None]:
    """Why the stage has not passed (None: it has), and the meeting that carries it."""
    held = (
        RunMeeting.objects.filter(
            run=run, stage=stage, meeting__status__in=[MeetingStatus.CLOSED, MeetingStatus.FROZEN]
        )
        .select_related("meeting")
        .order_by("-pk")
        .first()
    )
    label = STAGE_MEETING[stage][1]
    if held is None:
        return _("「%(s)s」还没有召开并散会的%(m)s。") % {"s": Stage(stage).label, "m": label}, None
    meeting = held.meeting
    counted = counting.tally(meeting)
    if not counted.quorum_met:
        return _("%(m)s未达到法定人数：%(q)s。") % {
            "m": meeting.kind_label,
            "q": counting.quorum_text(meeting, counted),
        }, held
    result = counting.results(meeting, counted)[0]
    if not result.passed:
        return _("%(m)s表决未通过：%(r)s。") % {"m": meeting.kind_label, "r": result.text}, held
    return None, held


def _refuse_direct_decision(run: Run) -> None:
    must = [m for m in run.matters.select_related("kind") if m.kind.must_go_through]
    if must:
        m = must[0]
        raise ValidationError(
            _("事项「%(m)s」属于「%(k)s」，必须经过四议两公开，不能直接记为已决定。") % {"m": m.title, "k": m.kind.name}
        )


@transaction.atomic
def run_step(
    *, actor: Any, run: Run, step: str, note: str = "", text: str = "", version: int | None = None, now: Any = None
) -> Run:
    """Take a step of 四议两公开; `text` is what a disclosure step publishes."""
    now = now or timezone.now()
    held: list[RunMeeting] = []

    def prepare(locked: Run, parties: set[str]) -> dict[str, Any]:
        rules = district_rules(locked.community)
        if step == RunStep.PASS_MERGED:
            if not rules.merge_allowed:
                raise ValidationError(_("本区未允许一肩挑合并前两议，请分别召开党组织会议和两委会议。"))
            if not locked.merged:
                raise ValidationError(_("「%(r)s」未登记为一肩挑合并办理。") % {"r": locked.title})
        elif step == RunStep.PASS_PROPOSE and locked.merged:
            raise ValidationError(_("「%(r)s」登记为一肩挑合并办理，请用「提议并商议通过」。") % {"r": locked.title})
        stage = STEP_STAGE.get(step)
        if stage is not None:
            refusal, meeting = stage_refusal(locked, stage)
            if refusal or meeting is None:
                raise ValidationError(refusal or "")
            held.append(meeting)
        if step == RunStep.DECIDE_DIRECTLY:
            _refuse_direct_decision(locked)
        if step in (RunStep.PASS_RESOLVE, RunStep.DECIDE_DIRECTLY):
            return {"resolved_at": now}
        if step in (RunStep.PUBLISH_RESOLUTION, RunStep.PUBLISH_RESULT) and not text.strip():
            raise ValidationError({"text": _("请填写要公开的内容。")})
        if step == RunStep.CLOSE:
            kinds = set(locked.disclosures.values_list("kind", flat=True))
            if kinds != set(DisclosureKind.values):
                raise ValidationError(_("须完成决议公开和实施结果公开后才能办结。"))
            return {"closed_at": now}
        return {}

    def after(locked: Run, from_status: str) -> None:
        for rm in held:
            RunMeeting.objects.filter(pk=rm.pk).update(passed=True)
        if step in (RunStep.PUBLISH_RESOLUTION, RunStep.PUBLISH_RESULT):
            rules = district_rules(locked.community)
            if step == RunStep.PUBLISH_RESOLUTION:
                kind, start, days = DisclosureKind.RESOLUTION, locked.resolved_at, rules.resolution_disclosure_days
            else:
                first = locked.disclosures.get(kind=DisclosureKind.RESOLUTION)
                kind, start, days = DisclosureKind.RESULT, first.published_at, rules.result_disclosure_days
            deadline = timezone.localdate(start or now) + datetime.timedelta(days=days)
            Disclosure.objects.create(
                run=locked, kind=kind, text=text.strip(), published_at=now, deadline=deadline,
                on_time=timezone.localdate(now) <= deadline,
            )  # fmt: skip

    return take_step(
        RUN_FLOW, actor=actor, obj=run, step=step, version=version, note=note, prepare=prepare, after=after
    )
