"""Projects: proposal (the stable `project_propose`), the workflow's steps with their product rules
(caps, the council's vote, the budget committed, acceptance photos and votes, settlement)."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.roles import Role, active_assignment
from dangjian.audit.services import audit_record
from dangjian.core.figures import facts
from dangjian.core.scoping import acting_user, active_role
from dangjian.core.workflow import take_step
from dangjian.meetings.permissions import manages_area
from dangjian.territory.models import Area, Level

from .. import budget
from ..facts import BUDGET, PROJECTS
from ..models import Kind, NoteKind, Project, ProjectPhoto, ReviewMeeting, Source, Status
from ..rules import district_rules
from ..workflow import CREATE, PROJECT_FLOW, Step

CENT = Decimal("0.01")


def money_text(amount: Decimal) -> str:
    """20万元, 1.5万元, 8000元."""
    amount = Decimal(amount)
    if amount >= 10000:
        return _("%(n)s万元") % {"n": format((amount / 10000).normalize(), "f")}
    return _("%(n)s元") % {"n": format(amount.quantize(CENT).normalize(), "f")}


def parse_amount(value: Any, field: str = "amount", *, required: bool = True) -> Decimal | None:
    """Yuan from a form or a caller: a number ≥ 0 with at most two decimals."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationError({field: _("请填写金额（元）。")})
        return None
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise ValidationError({field: _("金额「%(v)s」不是数字，请填写元，如 120000.50。") % {"v": value}}) from None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(CENT):
        raise ValidationError({field: _("金额须为不小于 0 的数，最多两位小数。")})
    return amount


def check_cap(community: Area, kind: str, amount: Decimal | None, field: str = "estimated_amount") -> None:
    """Refused in words when the amount is above the district's cap for the kind."""
    if amount is None:
        return
    cap = district_rules(community).cap(kind)
    if amount > cap:
        raise ValidationError(
            {
                field: _("%(k)s项目金额不能超过%(cap)s（本项目%(a)s），请拆分或调整方案。")
                % {"k": Kind(kind).label, "cap": money_text(cap), "a": money_text(amount)}
            }
        )


def _home_community_id(actor: Any) -> int | None:
    assignment = active_assignment(actor)
    if assignment is None:
        return None
    if assignment.home_community_id:
        return assignment.home_community_id
    if assignment.unit_id and assignment.unit is not None:
        return assignment.unit.community_id
    area = assignment.area
    if area is not None and area.level == Level.GRID:
        return area.parent_id
    return None


def may_propose(actor: Any, community: Area) -> bool:
    """The system; a manager over the community; a resident, member, grid worker or unit contact of it."""
    if actor is None or manages_area(actor, community.path):
        return True
    return (
        active_role(actor)
        in {
            Role.RESIDENT,
            Role.PARTY_MEMBER,
            Role.GRID_WORKER,
            Role.UNIT_CONTACT,
        }
        and _home_community_id(actor) == community.pk
    )


def record_facts(project: Project) -> None:
    """Bring both subjects up to date after a write outside a step (payments, votes, claims)."""
    for subject in (PROJECTS, BUDGET):
        facts.record_pk(subject, project.pk)


@transaction.atomic
def project_propose(
    *,
    actor: Any,
    community: Area,
    title: str,
    description: str,
    kind: str,
    source: str,
    source_ref: str = "",
    estimated_amount: Decimal | None = None,
) -> Project:
    """A proposal in 征集: from a resident's phone, a worker's desk, a resolution or a joint meeting.
    Refused in words when the kind is unknown or the estimate is above the district's cap."""
    if community is None or community.level != Level.COMMUNITY:
        raise ValidationError({"community": _("民生微实事项目在社区（村）提出，请选择社区。")})
    if not may_propose(actor, community):
        raise ValidationError(_("您只能为自己所在的社区提出民生微实事项目。"))
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("请填写项目名称。")})
    if kind not in Kind.values:
        raise ValidationError({"kind": _("请选择项目类别（工程类、服务类或货物类）。")})
    if source not in Source.values:
        raise ValidationError({"source": _("请选择项目来源。")})
    amount = parse_amount(estimated_amount, "estimated_amount", required=False)
    check_cap(community, kind, amount)
    user = acting_user(actor)
    project = Project.objects.create(
        community=community,
        title=title[:100],
        description=(description or "").strip()[:4000],
        kind=kind,
        source=source,
        source_ref=(source_ref or "")[:120],
        estimated_amount=amount,
        proposed_by=user,
        proposer_name=(getattr(user, "full_name", "") or getattr(user, "username", "") or "")[:50],
        proposed_at=timezone.now(),
    )
    PROJECT_FLOW.log(project, actor=actor, step=CREATE, from_status="", to_status=project.status)
    audit_record(actor=user, action="create", obj=project, area_path=project.area_path)
    return project


@transaction.atomic
def project_update(*, actor: Any, project: Project, kind: str, estimated_amount: Any, description: str) -> Project:
    """The community settles a proposal's kind and estimate while it is collected (caps apply)."""
    locked = Project.objects.select_for_update().select_related("community").get(pk=project.pk)
    if not manages_area(actor, locked.area_path):
        raise ValidationError(_("只有本社区的社区工作者或上级管理员可以修改项目。"))
    if locked.status != Status.COLLECTING:
        raise ValidationError(_("项目已提交评议，不能再修改类别和金额。"))
    if kind not in Kind.values:
        raise ValidationError({"kind": _("请选择项目类别（工程类、服务类或货物类）。")})
    amount = parse_amount(estimated_amount, "estimated_amount")
    check_cap(locked.community, kind, amount)
    changes = {"kind": [locked.kind, kind], "estimated_amount": [str(locked.estimated_amount), str(amount)]}
    locked.kind, locked.estimated_amount = kind, amount
    locked.description = (description or locked.description).strip()[:4000]
    locked.save(update_fields=["kind", "estimated_amount", "description", "area_path", "updated_at"])
    audit_record(actor=acting_user(actor), action="update", obj=locked, changes=changes, area_path=locked.area_path)
    record_facts(locked)
    return locked


def review_refusal(project: Project) -> tuple[str | None, ReviewMeeting | None]:
    """Why the council's review has not passed (None: it has), and the meeting that carries it."""
    from dangjian.meetings import counting
    from dangjian.meetings.models import MeetingStatus

    held = (
        ReviewMeeting.objects.filter(project=project, meeting__status__in=[MeetingStatus.CLOSED, MeetingStatus.FROZEN])
        .select_related("meeting")
        .order_by("-pk")
        .first()
    )
    if held is None:
        return _("议事会还没有召开并散会的评议会议。"), None
    counted = counting.tally(held.meeting)
    if not counted.quorum_met:
        return _("评议会议未达到法定人数：%(q)s。") % {"q": counting.quorum_text(held.meeting, counted)}, held
    result = counting.results(held.meeting, counted)[0]
    if not result.passed:
        return _("议事会评议未通过：%(r)s。") % {"r": result.text}, held
    return None, held


def acceptance_refusal(project: Project) -> str | None:
    """Why the project cannot be accepted yet: photos and the residents' votes the district requires."""
    rules = district_rules(project.community)
    photos = ProjectPhoto.objects.filter(project=project, kind=NoteKind.ACCEPTANCE).count()
    missing = []
    if photos < rules.min_photos:
        missing.append(_("验收照片至少 %(n)s 张（现有 %(h)s 张）") % {"n": rules.min_photos, "h": photos})
    if project.votes_count < rules.min_votes:
        missing.append(
            _("居民满意度评价至少 %(n)s 人（现有 %(h)s 人）") % {"n": rules.min_votes, "h": project.votes_count}
        )
    if not missing:
        return None
    return _("验收前须有%(m)s，不能验收通过。") % {"m": "；".join(missing)}


def _award_claimants(project: Project, actor: Any) -> None:
    """At acceptance each member's claim enters their service record (the points of their
    district's rules: hours served, or a donation)."""
    from dangjian.points.services import award

    for claim in project.claims.filter(member__isnull=False).select_related("claimant"):
        code, quantity = ("service_hour", claim.hours) if claim.hours else ("donation", Decimal(1))
        try:
            award(
                user=claim.claimant,
                rule_code=code,
                event_key=f"microprojects.claim:{claim.public_id}",
                quantity=Decimal(quantity),
                note=_("民生微实事认领：%(t)s") % {"t": project.title},
                actor=actor,
            )
        except LookupError:
            continue


@transaction.atomic
def project_step(
    *,
    actor: Any,
    project: Project,
    step: str,
    note: str = "",
    version: int | None = None,
    amount: Any = None,
    year: int | None = None,
    implementer_unit: Any = None,
    implementer_name: str = "",
    acceptor_name: str = "",
    final_payment: Any = None,
    now: datetime.datetime | None = None,
) -> Project:
    """Take one step. `amount` is the budget at 立项 (within the cap; committed in the funds ledger),
    the implementer is named then too; `acceptor_name` is required at 验收; `final_payment` is paid
    at 结项 before the rest of the budget is released."""
    now = now or timezone.now()
    held: list[ReviewMeeting] = []

    def prepare(locked: Project, parties: set[str]) -> dict[str, Any]:
        if step == Step.TO_REVIEW:
            if locked.estimated_amount is None:
                raise ValidationError(_("请先确定项目类别和估算金额，再提交评议。"))
            check_cap(locked.community, locked.kind, locked.estimated_amount)
        if step == Step.PASS_REVIEW:
            refusal, meeting = review_refusal(locked)
            if refusal or meeting is None:
                raise ValidationError(refusal or "")
            held.append(meeting)
        if step == Step.APPROVE:
            check_cap(locked.community, locked.kind, locked.estimated_amount)
        if step == Step.ESTABLISH:
            budget_amount = parse_amount(amount if amount is not None else locked.estimated_amount, "amount")
            assert budget_amount is not None
            if budget_amount <= 0:
                raise ValidationError({"amount": _("立项资金须大于 0。")})
            check_cap(locked.community, locked.kind, budget_amount, "amount")
            name = (implementer_name or "").strip() or (implementer_unit.name if implementer_unit else "")
            if not name:
                raise ValidationError({"implementer_name": _("请填写实施单位（驻区单位或公司）。")})
            fund_year = year or timezone.localdate(now).year
            budget.commit(actor=actor, project=locked, amount=budget_amount, year=fund_year)
            return {
                "budget_committed": budget_amount,
                "year": fund_year,
                "implementer_unit": implementer_unit,
                "implementer_name": name[:100],
                "established_at": now,
            }
        if step == Step.FINISH and not locked.notes_count:
            raise ValidationError(_("请先记录实施进展（附照片），再申请验收。"))
        if step == Step.ACCEPT:
            if not (acceptor_name or "").strip():
                raise ValidationError({"acceptor_name": _("请填写验收人姓名。")})
            refusal = acceptance_refusal(locked)
            if refusal:
                raise ValidationError(refusal)
            days = district_rules(locked.community).publicity_days
            return {
                "accepted_at": now,
                "acceptor_name": acceptor_name.strip()[:50],
                "acceptance_note": note.strip(),
                "publicity_until": timezone.localdate(now) + datetime.timedelta(days=days),
            }
        if step == Step.CLOSE:
            if locked.publicity_until and timezone.localdate(now) < locked.publicity_until:
                raise ValidationError(
                    _("验收结果公示到 %(d)s，公示期满后才能结项。") % {"d": locked.publicity_until.isoformat()}
                )
            paid = locked.amount_paid
            final = parse_amount(final_payment, "final_payment", required=False) or Decimal(0)
            if final > locked.budget_committed - paid:
                raise ValidationError(
                    {
                        "final_payment": _("尾款 %(f)s 元超过了未支付的立项资金 %(r)s 元。")
                        % {"f": final, "r": locked.budget_committed - paid}
                    }
                )
            if final:
                budget.pay(
                    actor=actor,
                    project=locked,
                    amount=final,
                    payee=locked.implementer,
                    memo=_("民生微实事结项尾款：%(t)s") % {"t": locked.title},
                    key=f"microprojects:{locked.public_id}:final",
                )
                paid += final
            released = budget.release(actor=actor, project=locked) if locked.budget_committed else Decimal(0)
            return {"amount_paid": paid, "amount_released": Decimal(released or 0), "closed_at": now}
        return {}

    def after(locked: Project, from_status: str) -> None:
        for rm in held:
            ReviewMeeting.objects.filter(pk=rm.pk).update(passed=True)
        if step == Step.ACCEPT:
            _award_claimants(locked, actor)

    return take_step(
        PROJECT_FLOW, actor=actor, obj=project, step=step, version=version, note=note, prepare=prepare, after=after
    )
