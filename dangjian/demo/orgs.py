"""Demo data of 软弱涣散基层党组织整顿: four cases in the demo district, dated relative to today.

- 茂盛社区: flagged, rectified and delisted last year, approved by the district admin (qu_admin);
- 婆石社区: being rectified; one step overdue and one due within days, both for the community
  worker sq_worker, so their 今日待办 shows them;
- 桂花社区: rectified, applied for delisting, waiting for an admin's approval;
- 景山社区: just flagged, no plan yet.

Written through the services, by the demo accounts who would do each step.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.orgs.models import PartyOrg, WeakOrgCase, WeakReason
from dangjian.orgs.weak.services import (
    ensure_default_reasons,
    weak_case_flag,
    weak_case_transition,
    weak_note_add,
    weak_step_add,
    weak_step_done,
)


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def _estate_branch(built: Any, community: str, index: int = 0) -> PartyOrg:
    estates = built.estates[community]
    return built.orgs[f"{estates[min(index, len(estates) - 1)].name}党支部"]


def _case(
    *,
    actor: User,
    org: PartyOrg,
    reasons: list[str],
    situation: str,
    flagged: datetime.date,
    steps: list[tuple[str, datetime.date, User]],
    plan_approved: tuple[datetime.date, User] | None = None,
) -> tuple[WeakOrgCase, list]:
    by_code = {r.code: r for r in WeakReason.objects.filter(code__in=reasons)}
    case = weak_case_flag(
        actor=actor, org=org, reasons=[by_code[c] for c in reasons], situation=situation, at=_at(flagged)
    )
    made = [
        weak_step_add(
            actor=actor,
            case=case,
            title=title,
            deadline=deadline,
            responsible=who,
            at=_at(flagged + datetime.timedelta(days=3), 15),
        )
        for title, deadline, who in steps
    ]
    if plan_approved:
        day, approver = plan_approved
        weak_case_transition(
            actor=approver, case=case, action="approve_plan", note="同意整改方案，请按时限推进。", at=_at(day)
        )
    return case, made


def build(rng: random.Random, built: Any) -> None:
    ensure_default_reasons()
    today = timezone.localdate()
    people = {u.username: u for u in User.objects.filter(username__in=["qu_admin", "jd_admin", "sq_worker"])}
    qu, jd, sq = people["qu_admin"], people["jd_admin"], people["sq_worker"]

    def ago(days: int) -> datetime.date:
        return today - datetime.timedelta(days=days)

    # Delisted last year.
    last = today.year - 1
    case, steps = _case(
        actor=jd,
        org=_estate_branch(built, "茂盛社区"),
        reasons=["team_incomplete", "org_life_irregular", "public_complaints"],
        situation="支部委员2人调离后长期未补选，近一年未按期召开支部党员大会；居民对小区环境卫生反映强烈。",
        flagged=datetime.date(last, 3, 12),
        steps=[
            ("补选支部委员，配齐支部班子", datetime.date(last, 5, 31), jd),
            ("恢复“三会一课”，建立组织生活台账", datetime.date(last, 7, 31), jd),
            ("联合物业开展小区环境卫生专项整治", datetime.date(last, 9, 30), jd),
        ],
        plan_approved=(datetime.date(last, 3, 20), jd),
    )
    notes = [
        "经支部党员大会选举，补选支部委员2名，班子配齐。",
        "已连续三个月按期召开支委会和党小组会，台账齐全。",
        "联合物业清理楼道杂物和卫生死角，居民满意度明显提升。",
    ]
    for step, note, day in zip(
        steps, notes, (datetime.date(last, 5, 20), datetime.date(last, 7, 18), datetime.date(last, 9, 22)), strict=True
    ):
        weak_step_done(actor=jd, step=step, note=note, at=_at(day, 16))
    weak_note_add(
        actor=jd,
        case=case,
        text="街道党工委组织整改验收，走访居民30户，群众认可。",
        at=_at(datetime.date(last, 10, 12)),
    )
    weak_case_transition(
        actor=jd,
        case=case,
        action="apply",
        note="三项整改措施全部完成，申请摘帽。",
        at=_at(datetime.date(last, 10, 20)),
    )
    weak_case_transition(
        actor=qu,
        case=case,
        action="delist",
        note="经街道党工委验收、群众满意度测评，整改达标，同意摘帽。",
        at=_at(datetime.date(last, 11, 26)),
    )

    # Being rectified in 婆石社区: one step done, one overdue, one due soon, all for sq_worker.
    case, steps = _case(
        actor=jd,
        org=_estate_branch(built, "婆石社区", 1),
        reasons=["org_life_irregular", "members_lax", "services_poor"],
        situation="支部近半年未开展主题党日活动，部分党员长期不参加组织生活，小区居民诉求响应慢。",
        flagged=ago(45),
        steps=[
            ("补选支部组织委员，配齐支委班子", ago(25), sq),
            ("恢复“三会一课”，制定本年度组织生活计划", ago(3), sq),
            ("逐户走访小区党员，建立党员联系台账", today + datetime.timedelta(days=5), sq),
        ],
        plan_approved=(ago(38), jd),
    )
    weak_note_add(actor=sq, case=case, text="已召开支委会研究整改任务分工，明确每项措施的责任人。", at=_at(ago(36), 17))
    weak_step_done(actor=sq, step=steps[0], note="支部党员大会补选组织委员1名，支委班子配齐。", at=_at(ago(27), 16))
    weak_note_add(actor=sq, case=case, text="已走访党员32户，其中5名流动党员已建立微信联系。", at=_at(ago(6), 18))

    # Rectified in 桂花社区, waiting for the approval of its delisting.
    case, steps = _case(
        actor=jd,
        org=_estate_branch(built, "桂花社区"),
        reasons=["secretary_vacant", "disputes_concentrated"],
        situation="支部书记调离后半年未配备，小区停车纠纷引发多次集体投诉。",
        flagged=ago(130),
        steps=[
            ("选配支部书记", ago(100), jd),
            ("成立小区停车协商议事小组，形成停车管理公约", ago(40), jd),
        ],
        plan_approved=(ago(125), jd),
    )
    weak_step_done(
        actor=jd, step=steps[0], note="经街道党工委研究，选派社区党委委员兼任支部书记。", at=_at(ago(104), 16)
    )
    weak_step_done(actor=jd, step=steps[1], note="召开议事会3次，停车管理公约经业主表决通过。", at=_at(ago(45), 16))
    weak_case_transition(
        actor=jd, case=case, action="apply", note="整改措施全部完成，投诉明显减少，申请摘帽。", at=_at(ago(4))
    )

    # Just flagged in 吉大街道, no plan yet.
    weak_case_flag(
        actor=qu,
        org=built.orgs["景山社区非公企业联合党支部"],
        reasons=[WeakReason.objects.get(code="org_life_irregular"), WeakReason.objects.get(code="members_lax")],
        situation="联合党支部覆盖的5家企业中3家长期未参加组织生活，党员流动频繁、底数不清。",
        at=_at(ago(2), 9),
    )
