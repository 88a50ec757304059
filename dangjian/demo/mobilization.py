"""Demo 应急动员 (a DEMO_EXTENSIONS step, after people, orgs, volunteering and demands).

A finished typhoon call-up of the district (called, answered, placed, a visit list with a need met, a
temporary Party committee closed and its record archived), and a drill in progress in 拱北街道, commanded
by jd_admin, with unmet headcount in two grids of 婆石社区 (dy_member answered and is placed in one).
Everything runs as the system through the services; the `rng` picks who answers."""

from __future__ import annotations

import datetime
import random
from typing import TYPE_CHECKING

from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.demands import services as demand_services
from dangjian.mobilization import services
from dangjian.mobilization.models import Call, CallStatus, Need, Visit
from dangjian.mobilization.services.temp_org import calling_org
from dangjian.territory.models import Area, Level

if TYPE_CHECKING:
    from .builder import Built

DISTRICT, SUBDISTRICT, COMMUNITY = "香洲区", "拱北街道", "婆石社区"
COMMANDER, DISTRICT_ADMIN, MEMBER = "jd_admin", "qu_admin", "dy_member"


def _grids(community: Area) -> list[Area]:
    return list(Area.objects.filter(parent=community, level=Level.GRID).order_by("path"))


def build(rng: random.Random, built: Built) -> None:
    local = random.Random(rng.getrandbits(64))
    district = built.areas.get(DISTRICT) or Area.objects.filter(level=Level.DISTRICT).first()
    subdistrict = built.areas.get(SUBDISTRICT)
    community = built.areas.get(COMMUNITY)
    commander = User.objects.filter(username=COMMANDER).first()
    chief = User.objects.filter(username=DISTRICT_ADMIN).first()
    if district is None or subdistrict is None or community is None or commander is None:
        return
    grids = _grids(community)
    if len(grids) < 2:
        return
    now = timezone.now()
    _typhoon(local, district, subdistrict, grids, chief, now)
    _drill(subdistrict, grids, commander, now)


def _typhoon(
    local: random.Random,
    district: Area,
    subdistrict: Area,
    grids: list[Area],
    chief: User | None,
    now: datetime.datetime,
) -> None:
    callup = services.callup_issue(
        actor=None,
        area=district,
        issued_by=chief,
        title="台风“苏拉”防御下沉",
        kinds=["patrol", "visiting", "delivery"],
        brief="台风红色预警：机关党员干部下沉网格，巡查危房、转移群众、走访独居老人。",
        starts_at=now - datetime.timedelta(days=12),
        ends_at=now + datetime.timedelta(hours=1),
        quotas=[(subdistrict, 6), (grids[0], 2)],
    )
    services.fanout_run(callup.pk)
    calls = list(Call.objects.filter(callup=callup).select_related("user").order_by("pk"))
    local.shuffle(calls)
    placed = 0
    for call in calls[: max(1, len(calls) * 2 // 3)]:
        services.call_answer(actor=call.user, callup=callup, available=True, skills="驾驶" if placed % 2 else "")
        call.refresh_from_db()
        grid = grids[placed % len(grids)]
        try:
            services.placement_confirm(actor=None, call=call, grid=grid, reason="就近安排")
        except Exception:  # noqa: BLE001 - a demo member already placed elsewhere stays unplaced
            continue
        placed += 1
        if placed >= 6:
            break
    if placed and calling_org(callup) is not None:
        services.temp_org_create(actor=None, callup=callup, name="台风“苏拉”防御临时党委")
        callup.refresh_from_db()
        services.temp_org_meeting(
            actor=None, callup=callup, title="临时党委防御部署会", starts_at=now - datetime.timedelta(days=11)
        )
    services.visit_list_build(actor=None, callup=callup, grid=grids[0])
    first = Visit.objects.filter(callup=callup).order_by("pk").first()
    if first is not None and placed:
        services.visit_record(actor=None, visit=first, needs=["meals"], note="独居老人，需要送餐")
        # The member the demand went to takes it and delivers: the need is met.
        for need in Need.objects.filter(visit=first).select_related("demand__assigned_user"):
            doer = need.demand.assigned_user
            if doer is not None:
                demand = demand_services.demand_take(actor=doer, demand=need.demand)
                demand_services.demand_done(actor=doer, demand=demand, note="已送应急食品上门", hours="1")
    for visit in Visit.objects.filter(callup=callup, status="pending").order_by("pk"):
        services.visit_excuse(actor=None, visit=visit, reason="台风期间已转移至亲属家，电话联系确认安全")
    services.callup_end(actor=None, callup=callup, note="台风解除预警，下沉人员撤回")


def _drill(subdistrict: Area, grids: list[Area], commander: User, now: datetime.datetime) -> None:
    callup = services.callup_issue(
        actor=None,
        area=subdistrict,
        issued_by=commander,
        title="防汛应急演练",
        kinds=["patrol", "visiting"],
        brief="演练：在职党员下沉婆石社区网格，巡查低洼地带，走访重点户。",
        starts_at=now - datetime.timedelta(hours=2),
        ends_at=now + datetime.timedelta(days=2),
        quotas=[(grids[0], 3), (grids[1], 3)],
        is_drill=True,
    )
    services.fanout_run(callup.pk)
    member = Call.objects.filter(callup=callup, user__username=MEMBER).first()
    if member is not None:
        call = services.call_answer(actor=member.user, callup=callup, available=True, skills="急救")
        services.placement_confirm(actor=None, call=call, grid=grids[0], reason="住在本社区")
    for grid in grids[:2]:
        services.visit_list_build(actor=None, callup=callup, grid=grid)
    assert Call.objects.filter(callup=callup, status=CallStatus.PLACED).count() <= 1
