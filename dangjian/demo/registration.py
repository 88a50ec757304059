"""Demo dual registration (a DEMO_EXTENSIONS step, run after the people and units steps).

It uses whatever in-service members (with ID numbers) and units with a Party organization exist,
in a fixed order, so equal seeds give equal data: every community gets its self-service link and
two documents; about two in three of each community's in-service members and most units are
registered and confirmed, a few are pending, one is rejected, one member registered away from home;
the rest show up as 应报未报. The demo member account (dy_member) is left unregistered, so the
journey can be tried. Everything goes through the services as "系统" (actor None); only the
timestamps are then moved into the recent past, so "since when" reads like real data.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone

from dangjian.people.models import Member, MemberStatus
from dangjian.registration import selectors, services
from dangjian.registration.models import Registration, RegistrationLog
from dangjian.territory.models import Area, Level
from dangjian.units.models import ResidentUnit

from .names import person_name

if TYPE_CHECKING:
    from .builder import Built

HOME_COMMUNITY = "婆石社区"
UNREGISTERED_ACCOUNT = "dy_member"  # left to register by hand in the demo
DOCUMENTS = (
    (
        "关于深化“千个支部万名党员进社区双报到”活动的实施方案",
        "驻区单位党组织到所在社区报到，在职党员到居住社区报到；按文件清单、报到清单、需求清单、服务清单、"
        "评价清单“五个清单”推进，常态化开展政策宣讲、文艺演出、法律服务、文明劝导、爱心帮扶、周末课堂等服务。",
        30,
    ),
    (
        "{community}在职党员进社区服务指引",
        "扫描社区报到码即可报到；社区每月发布需求清单，党员和报到单位可主动认领，社区也可直接派单。",
        12,
    ),
)
REJECT_REASON = "经核实您不在本社区居住，请到居住社区报到。"


def build(rng: random.Random, built: Built) -> None:
    local = random.Random(rng.getrandbits(64))
    now = timezone.now()
    communities = list(Area.objects.filter(level=Level.COMMUNITY).order_by("path"))
    for community in communities:
        services.link_generate(actor=None, community=community)
        for title, body, days_ago in DOCUMENTS:
            services.document_create(
                actor=None,
                community=community,
                title=title.format(community=community.name),
                body=body,
                published_on=timezone.localdate() - datetime.timedelta(days=days_ago),
            )
    _register_members(local, communities, now)
    _register_units(local, now)


def _skills(local: random.Random, community: Area) -> list[str]:
    options = selectors.service_intentions_for(community)
    return sorted(local.sample(options, local.randint(1, 3)), key=options.index)


def _backdate(reg: Registration, *, submitted_days: int, decided_days: int | None, now: datetime.datetime) -> None:
    submitted = now - datetime.timedelta(days=submitted_days, hours=3)
    decided = now - datetime.timedelta(days=decided_days, hours=1) if decided_days is not None else None
    fields: dict = {"submitted_at": submitted}
    if decided is not None:
        fields["decided_at"] = decided
    Registration.objects.filter(pk=reg.pk).update(**fields)
    logs = list(RegistrationLog.objects.filter(registration=reg).order_by("pk"))
    for k, entry in enumerate(logs):
        at = submitted if k == 0 or decided is None else decided
        RegistrationLog.objects.filter(pk=entry.pk).update(at=at)


def _register_members(local: random.Random, communities: list[Area], now: datetime.datetime) -> None:
    members = (
        Member.objects.filter(status=MemberStatus.IN_SERVICE, home_community__isnull=False)
        .exclude(Q(id_number__isnull=True) | Q(id_number=""))
        .exclude(user__username=UNREGISTERED_ACCOUNT)
        .select_related("home_community")
        .order_by("pk")
    )
    by_community: dict[int, list[Member]] = defaultdict(list)
    for member in members:
        by_community[member.home_community_id].append(member)
    home = next((c for c in communities if c.name == HOME_COMMUNITY), None)
    # One member of another community registers at 婆石社区 (flagged on the desk), pending.
    away = next((by_community[c.pk].pop() for c in communities if c != home and by_community.get(c.pk)), None)
    for community in communities:
        people = by_community.get(community.pk, [])
        n = len(people)
        # About two in three confirmed, one in six pending, the rest not registered yet.
        confirmed, pending = round(n * 2 / 3), (max(1, round(n / 6)) if n >= 3 else 0)
        for k, member in enumerate(people):
            if k < confirmed:
                plan = "confirmed"
            elif k < confirmed + pending:
                plan = "pending"
            elif community == home and k == confirmed + pending:
                plan = "rejected"
            else:
                continue
            reg = services.registration_submit_member(
                actor=None,
                member=member,
                community=community,
                contact_mobile=member.mobile,
                skills=_skills(local, community),
                via="扫码自助报到",
            )
            submitted_days = local.randint(20, 300)
            if plan == "confirmed":
                services.registration_confirm(actor=None, registration=reg)
                _backdate(reg, submitted_days=submitted_days, decided_days=submitted_days - 1, now=now)
            elif plan == "rejected":
                services.registration_reject(actor=None, registration=reg, reason=REJECT_REASON)
                _backdate(reg, submitted_days=submitted_days, decided_days=submitted_days - 2, now=now)
            else:
                _backdate(reg, submitted_days=local.randint(0, 6), decided_days=None, now=now)
    if home is not None and away is not None:
        reg = services.registration_submit_member(
            actor=None,
            member=away,
            community=home,
            contact_mobile=away.mobile,
            skills=_skills(local, home),
            note="在婆石社区附近工作，希望就近参加服务",
            via="扫码自助报到",
        )
        _backdate(reg, submitted_days=1, decided_days=None, now=now)


def _register_units(local: random.Random, now: datetime.datetime) -> None:
    units = list(
        ResidentUnit.objects.filter(party_org__isnull=False).select_related("community", "party_org").order_by("pk")
    )
    seen: set[tuple[int, int]] = set()
    for k, unit in enumerate(units):
        key = (unit.party_org_id, unit.community_id)
        if key in seen:  # a joint branch registers once per community
            continue
        seen.add(key)
        if k % 5 == 4:  # every fifth unit has not registered yet: 应报未报
            continue
        reg = services.registration_submit_unit(
            actor=None,
            unit=unit,
            community=unit.community,
            contact_name=person_name(local),
            contact_mobile=f"139{local.randrange(10**8):08d}",
            skills=_skills(local, unit.community),
            via="扫码自助报到",
        )
        if k % 5 == 3:
            _backdate(reg, submitted_days=local.randint(0, 5), decided_days=None, now=now)
            continue
        services.registration_confirm(actor=None, registration=reg)
        submitted_days = local.randint(30, 400)
        _backdate(reg, submitted_days=submitted_days, decided_days=submitted_days - 2, now=now)
