"""Every write of member development: keyword-only, atomic, audited; each step through take_step.

`recruit_step` takes any step of RECRUIT_FLOW on the date `on` (today by default; never later): it
checks the district's intervals on the locked row and refuses a date too early with the earliest one,
records the branch meeting's vote, creates the member record (people's own service) at approval and
makes it full at conversion, and writes the time spent in the stage left (the figures' durations).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.services import audit_record
from dangjian.core.scoping import acting_user
from dangjian.core.validators import citizen_id_birth_date, citizen_id_sex, validate_citizen_id, validate_mobile
from dangjian.core.workflow import take_step
from dangjian.orgs.models import BRANCHES, PartyOrg
from dangjian.people.models import ACTIVE_STATUSES, Member, MemberCategory, MemberStatus
from dangjian.people.services.members import member_create, member_set_status, member_update

from . import rules as R
from .models import BranchVote, DocKind, Document, NoticeKind, Recruit, RecruitRules, Stage, StageSpan, VoteKind
from .workflow import CREATE, DISQUALIFY_VOTED_FROM, RECRUIT_FLOW, Step, parties_of

ONE_DAY = datetime.timedelta(days=1)
NOTICE_OF_STAGE: dict[str, str] = {
    Stage.ACTIVIST: NoticeKind.CANDIDATE,
    Stage.PLANNED: NoticeKind.ADMIT,
    Stage.PROBATIONARY: NoticeKind.CONVERT,
}


def _today() -> datetime.date:
    return timezone.localdate()


@transaction.atomic
def recruit_create(
    *,
    actor: Any,
    org: PartyOrg,
    name: str,
    applied_on: datetime.date,
    id_number: str = "",
    birth_date: datetime.date | None = None,
    mobile: str = "",
    user: Any = None,
) -> Recruit:
    """Register an application to join (入党申请书 received) in a branch the actor runs."""
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("请填写申请人姓名。")
    if org.org_type not in BRANCHES:
        errors["org"] = _("入党申请须由党支部受理，请选择一个党支部。")
    sex = ""
    if id_number.strip():
        try:
            id_number = validate_citizen_id(id_number.strip(), today=_today())
            birth_date = citizen_id_birth_date(id_number)
            sex = citizen_id_sex(id_number)
        except ValidationError as exc:
            errors["id_number"] = exc.messages[0]
    if mobile.strip():
        try:
            mobile = validate_mobile(mobile.strip())
        except ValidationError as exc:
            errors["mobile"] = exc.messages[0]
    if applied_on > _today():
        errors["applied_on"] = _("递交申请日期不能晚于今天。")
    if birth_date is None and "id_number" not in errors:
        errors["birth_date"] = _("请填写身份证号或出生日期。")
    if errors:
        raise ValidationError(errors)
    assert birth_date is not None
    rules = R.rules_for(org.area.path)
    if R.age_on(birth_date, applied_on) < rules.min_age:
        earliest = R.add_years(birth_date, rules.min_age)
        raise ValidationError(
            {
                "applied_on": _("申请入党须年满 %(n)s 周岁：%(name)s最早可在 %(date)s 递交入党申请书。")
                % {"n": rules.min_age, "name": name, "date": earliest.isoformat()}
            }
        )
    if id_number and Recruit.objects.filter(id_number=id_number).exclude(status=Stage.ENDED).exists():
        raise ValidationError({"id_number": _("该身份证号已有正在办理的入党材料，请勿重复登记。")})
    recruit = Recruit(
        org=org,
        name=name,
        sex=sex,
        birth_date=birth_date,
        id_number=id_number,
        mobile=mobile,
        user=user,
        applied_on=applied_on,
        stage_since=applied_on,
        next_due=applied_on + datetime.timedelta(days=rules.talk_days),
        area_path=org.area.path,
        org_path=org.path,
    )
    if actor is not None and not parties_of(actor, recruit) & {"branch"}:
        raise ValidationError({"org": _("只有本支部的支委或本社区的社区工作者可以受理入党申请。")})
    recruit.save()
    RECRUIT_FLOW.log(recruit, actor=actor, step=CREATE, from_status="", to_status=recruit.status)
    audit_record(actor=acting_user(actor), action="create", obj=recruit, area_path=recruit.area_path)
    return recruit


def _vote(rules: RecruitRules, kind: str, on: datetime.date, counts: dict[str, int]) -> BranchVote:
    due, present = counts.get("due", 0), counts.get("present", 0)
    f, a, b = counts.get("votes_for", 0), counts.get("against", 0), counts.get("abstain", 0)
    if min(due, present, f, a, b) < 0 or due == 0:
        raise ValidationError(_("请填写应到、实到人数和赞成、反对、弃权票数。"))
    if present > due:
        raise ValidationError(_("实到人数 %(p)s 超过了应到人数 %(d)s。") % {"p": present, "d": due})
    if f + a + b > present:
        raise ValidationError(
            _("赞成、反对、弃权合计 %(n)s 票，超过了实到人数 %(p)s 人。") % {"n": f + a + b, "p": present}
        )
    passed, text = R.vote_verdict(rules, due=due, present=present, votes_for=f)
    if not passed:
        raise ValidationError(_("支部大会表决未通过：%(t)s。") % {"t": text})
    return BranchVote(
        kind=kind, held_on=on, due=due, present=present, votes_for=f, against=a, abstain=b, passed=True, rule_text=text
    )


def _notice_over(r: Recruit, kind: str, what: str) -> datetime.date:
    """The day after the 公示 of `kind` ends (refusing when none was held)."""
    if r.notice_kind != kind or r.notice_until is None:
        raise ValidationError(_("%(what)s前须先进行%(n)s。") % {"what": what, "n": NoticeKind(kind).label})
    return r.notice_until + ONE_DAY


def _introducer(member: Member | None) -> Member:
    if member is None:
        raise ValidationError(_("请选择入党介绍人。"))
    if member.category != MemberCategory.FULL or member.status not in ACTIVE_STATUSES:
        raise ValidationError(_("入党介绍人须是正式党员：「%(n)s」不是在册的正式党员。") % {"n": member.name})
    return member


def _checks(r: Recruit, step: str, on: datetime.date, rules: RecruitRules, data: dict[str, Any]) -> dict[str, Any]:
    """The step's rules on the locked row; the columns it sets (besides the status)."""
    what = RECRUIT_FLOW.step_label(step)
    fields: dict[str, Any] = {}
    if step == Step.TALK:
        R.not_before(on, r.applied_on, what, _("谈话须在递交入党申请书之后"))
        fields = {"talked_on": on}
    elif step == Step.MAKE_ACTIVIST:
        if r.talked_on is None:
            raise ValidationError(_("请先记录党组织派人与申请人的谈话。"))
        R.not_before(on, r.talked_on, what, _("须在谈话之后"))
        fields = {"activist_on": on, "next_due": R.add_months(on, rules.activist_months)}
    elif step == Step.NOTICE:
        kind = NOTICE_OF_STAGE[r.status]
        R.not_before(on, r.stage_since, what, _("公示须在进入本阶段之后"))
        until = R.notice_end(on, rules)
        fields = {"notice_kind": kind, "notice_from": on, "notice_until": until}
        if r.status == Stage.PLANNED:
            fields["next_due"] = until + ONE_DAY
    elif step == Step.MAKE_CANDIDATE:
        assert r.activist_on is not None
        a_year = R.add_months(r.activist_on, rules.activist_months)
        R.not_before(
            on,
            a_year,
            what,
            _("入党积极分子须经 %(n)s 个月以上培养考察（%(d)s 确定为入党积极分子）")
            % {"n": rules.activist_months, "d": r.activist_on.isoformat()},
        )
        after = _notice_over(r, NoticeKind.CANDIDATE, what)
        R.not_before(
            on, after, what, _("公示到 %(d)s 结束") % {"d": r.notice_until.isoformat() if r.notice_until else ""}
        )
        fields = {"candidate_on": on, "notice_kind": "", "notice_from": None, "notice_until": None}
    elif step == Step.INTRODUCERS:
        first, second = _introducer(data.get("introducer_1")), _introducer(data.get("introducer_2"))
        if first.pk == second.pk:
            raise ValidationError(_("须由 %(n)s 名不同的正式党员作入党介绍人。") % {"n": rules.introducers})
        fields = {"introducer_1": first, "introducer_2": second}
    elif step == Step.REVIEW:
        result = (data.get("result") or "").strip()
        if not result:
            raise ValidationError({"result": _("请填写政治审查结论。")})
        R.not_before(on, r.candidate_on, what, _("政治审查在确定为发展对象之后进行"))
        fields = {"reviewed_on": on, "review_result": result[:200]}
    elif step == Step.TRAIN:
        hours = int(data.get("hours") or 0)
        if hours <= 0:
            raise ValidationError({"hours": _("请填写集中培训学时。")})
        fields = {"trained_on": on, "training_hours": hours}
    elif step == Step.PLAN:
        if r.introducer_1_id is None or r.introducer_2_id is None:
            raise ValidationError(_("列入发展计划前须确定 %(n)s 名入党介绍人。") % {"n": rules.introducers})
        if r.reviewed_on is None:
            raise ValidationError(_("列入发展计划前须完成政治审查。"))
        if r.training_hours < rules.training_hours:
            raise ValidationError(
                _("集中培训不少于 %(n)s 学时，%(name)s目前只有 %(h)s 学时。")
                % {"n": rules.training_hours, "name": r.name, "h": r.training_hours}
            )
        R.not_before(
            on,
            max(d for d in (r.candidate_on, r.reviewed_on, r.trained_on) if d),
            what,
            _("须在政治审查和集中培训之后"),
        )
        fields = {"planned_on": on}
    elif step == Step.ADMIT_VOTE:
        after = _notice_over(r, NoticeKind.ADMIT, what)
        R.not_before(on, after, what, _("拟接收预备党员公示到 %(d)s 结束") % {"d": (after - ONE_DAY).isoformat()})
        data["_vote"] = _vote(rules, VoteKind.ADMIT, on, data)
        fields = {"admitted_on": on, "next_due": R.add_months(on, rules.approval_months), "notice_kind": ""}
    elif step in (Step.APPROVE, Step.REJECT):
        R.not_before(on, r.admitted_on, what, _("上级党委审批在支部大会通过之后"))
        if step == Step.APPROVE:
            assert r.admitted_on is not None
            ends = R.add_months(r.admitted_on, rules.probation_months)
            fields = {"approved_on": on, "probation_ends_on": ends, "next_due": ends}
        else:
            fields = {"ended_on": on}
    elif step == Step.EXTEND:
        months = int(data.get("months") or 0)
        if r.extended_months:
            raise ValidationError(
                _("预备期只能延长一次，%(n)s已延长过 %(m)s 个月。") % {"n": r.name, "m": r.extended_months}
            )
        if not rules.extend_min_months <= months <= rules.extend_max_months:
            raise ValidationError(
                {
                    "months": _("延长预备期不能少于 %(a)s 个月，最长不超过 %(b)s 个月。")
                    % {"a": rules.extend_min_months, "b": rules.extend_max_months}
                }
            )
        assert r.probation_ends_on is not None
        ends = R.add_months(r.probation_ends_on, months)
        fields = {"extended_months": months, "probation_ends_on": ends, "next_due": ends}
    elif step == Step.CONVERT_VOTE:
        R.not_before(
            on,
            r.probation_ends_on,
            what,
            _("预备期到 %(d)s 才满") % {"d": r.probation_ends_on.isoformat() if r.probation_ends_on else ""},
        )
        after = _notice_over(r, NoticeKind.CONVERT, what)
        R.not_before(on, after, what, _("拟转正公示到 %(d)s 结束") % {"d": (after - ONE_DAY).isoformat()})
        data["_vote"] = _vote(rules, VoteKind.CONVERT, on, data)
        fields = {"conversion_voted_on": on, "next_due": R.add_months(on, rules.approval_months), "notice_kind": ""}
    elif step == Step.CONVERT_APPROVE:
        R.not_before(on, r.conversion_voted_on, what, _("上级党委批准在支部大会讨论之后"))
        fields = {"converted_on": r.probation_ends_on}
    elif step == Step.END:
        fields = {"ended_on": on}
    elif step == Step.DISQUALIFY:
        R.not_before(on, r.approved_on, what, _("取消资格在上级党委审批接收之后"))
        if r.status == DISQUALIFY_VOTED_FROM:
            data["_vote"] = _vote(rules, VoteKind.DISQUALIFY, on, data)
        fields = {"ended_on": on}
    return fields


@transaction.atomic
def recruit_step(
    *,
    actor: Any,
    recruit: Recruit,
    step: str,
    version: int | None = None,
    on: datetime.date | None = None,
    note: str = "",
    introducer_1: Member | None = None,
    introducer_2: Member | None = None,
    result: str = "",
    hours: int = 0,
    months: int = 0,
    due: int = 0,
    present: int = 0,
    votes_for: int = 0,
    against: int = 0,
    abstain: int = 0,
) -> Recruit:
    """Take `step` on the date `on`; the keyword arguments each step reads are in its form."""
    on = on or _today()
    if on > _today():
        raise ValidationError({"on": _("办理日期不能晚于今天。")})
    rules = R.rules_for(recruit.area_path)
    data: dict[str, Any] = {
        "introducer_1": introducer_1,
        "introducer_2": introducer_2,
        "result": result,
        "hours": hours,
        "months": months,
        "due": due,
        "present": present,
        "votes_for": votes_for,
        "against": against,
        "abstain": abstain,
    }
    before: dict[str, Any] = {}

    def prepare(locked: Recruit, parties: set[str]) -> dict[str, Any]:
        before.update(stage_since=locked.stage_since)
        fields = _checks(locked, step, on, rules, data)
        target = RECRUIT_FLOW.target(locked.status, step)
        if target != locked.status:
            R.not_before(on, locked.stage_since, RECRUIT_FLOW.step_label(step), _("不能早于进入当前阶段的日期"))
            fields["stage_since"] = on
            fields.setdefault("next_due", on)
        return fields

    def after(locked: Recruit, from_status: str) -> None:
        vote = data.get("_vote")
        if vote is not None:
            vote.recruit = locked
            vote.save()
        if locked.status != from_status:
            StageSpan.objects.create(
                recruit=locked,
                stage=from_status,
                entered_on=before["stage_since"],
                left_on=on,
                area_path=locked.area_path,
                at=timezone.make_aware(datetime.datetime.combine(on, datetime.time(12))),
            )
        if step == Step.APPROVE:
            _make_member(actor, locked)
        elif step == Step.CONVERT_APPROVE and locked.member is not None:
            member_update(
                actor=None, member=locked.member, category=MemberCategory.FULL, confirmed_on=locked.converted_on
            )
        elif step == Step.DISQUALIFY and locked.member is not None:
            member_set_status(
                actor=None,
                member=locked.member,
                status=MemberStatus.REMOVED,
                note=(_("取消预备党员资格：%(r)s") % {"r": note.strip()})[:200],
            )

    return take_step(
        RECRUIT_FLOW, actor=actor, obj=recruit, step=step, version=version, note=note, prepare=prepare, after=after
    )


def _make_member(actor: Any, r: Recruit) -> None:
    """The member's record, made probationary by people's own service (the system acts: the higher
    committee's approval is what admits the member to the branch's books)."""
    user = r.user if r.user_id and not Member.objects.filter(user_id=r.user_id).exists() else None
    member = member_create(
        actor=None,
        name=r.name,
        id_number=r.id_number,
        mobile=r.mobile,
        category=MemberCategory.PROBATIONARY,
        joined_on=r.admitted_on,
        org=r.org,
        user=user,
    )
    if not r.id_number and r.birth_date:
        Member.objects.filter(pk=member.pk).update(birth_date=r.birth_date)
    Recruit.objects.filter(pk=r.pk).update(member=member)
    r.member = member


@transaction.atomic
def document_add(
    *, actor: Any, recruit: Recruit, kind: str, title: str, dated: datetime.date, file: Any = None
) -> Document:
    """Add a paper to the person's file (the branch keeps it; it may be a scan or only its record)."""
    if not parties_of(actor, recruit) & {"branch"}:
        raise ValidationError(_("只有本支部的支委或本社区的社区工作者可以整理入党材料。"))
    if kind not in DocKind.values:
        raise ValidationError({"kind": _("请选择材料类别。")})
    title = (title or "").strip() or str(DocKind(kind).label)
    if dated > _today():
        raise ValidationError({"dated": _("材料日期不能晚于今天。")})
    doc = Document.objects.create(
        recruit=recruit, kind=kind, title=title[:100], dated=dated, file=file or "", added_by=acting_user(actor)
    )
    audit_record(
        actor=acting_user(actor),
        action="update",
        obj=recruit,
        changes={"document": [None, f"{doc.get_kind_display()}：{doc.title}"]},
        area_path=recruit.area_path,
    )
    return doc
