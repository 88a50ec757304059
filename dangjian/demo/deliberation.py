"""Demo deliberation (a DEMO_EXTENSIONS step, run after the accounts and people steps).

Every community gets a 红色议事厅 whose representatives are near the 40 % Party share (one council
below it); 婆石社区 also has a 邻里议事厅 for its first estate, with its election meeting. Topics stand in every
state. Two 四议两公开 runs with amounts went through every stage and both disclosures; a third is
stuck at the members' meeting, which missed its quorum. Everything runs through the services, each
step at its moment in the past (demo.clock), as the community worker of 婆石社区 or as the system.
"""

from __future__ import annotations

import datetime
import math
import random
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.deliberation import rules
from dangjian.deliberation.models import Council, CouncilKind, TopicSource
from dangjian.deliberation.services import councils, runs, topics
from dangjian.deliberation.workflow import RunStep, TopicStep
from dangjian.meetings import services as meetings
from dangjian.territory.models import Area, Estate, Level

from .clock import clock
from .names import person_name

if TYPE_CHECKING:
    from .builder import Built

HOME = "婆石社区"
WORKER, MEMBER, RESIDENT, GRID = "sq_worker", "dy_member", "jm_resident", "wg_worker"
BELOW = 1  # the index of the community whose council is under the Party-share target
TERM = (datetime.date(2024, 1, 1), datetime.date(2026, 12, 31))
TOPICS = (
    # (title, source, status, by)
    ("中珠新村东门晚上照明不足，建议加装路灯", TopicSource.RESIDENT, "decided", RESIDENT),
    ("小区电动车充电桩不够用", TopicSource.RESIDENT, "accepted", RESIDENT),
    ("楼道堆放杂物影响消防通道", TopicSource.GRID, "referred", GRID),
    ("社区长者饭堂能否延长供餐时间", TopicSource.RESIDENT, "answered", RESIDENT),
    ("高频诉求：1栋外墙瓷砖脱落", TopicSource.RECURRING, "received", GRID),
    ("制定小区文明养犬公约", TopicSource.COMMITTEE, "received", WORKER),
)
RUNS = (
    # (community index, title, [(kind index, matter, amount)], days ago started, stop at)
    (
        0,
        "中珠新村老旧电梯加装与改造",
        [(2, "加装电梯筹资方案", "1860000.00"), (4, "电梯维保承包方案", "96000.00")],
        75,
        None,
    ),
    (1, "社区集体物业出租收益使用", [(1, "集体物业出租收益使用方案", "420000.00")], 60, None),
    (0, "社区停车场改造及收费方案", [(2, "停车场改造建设承包方案", "580000.00")], 30, RunStep.PASS_REVIEW),
)


_TODAY: list[datetime.date] = []  # the build's today, read once: inside a clock block "now" is moved


def _at(days_ago: float, hour: int = 9) -> datetime.datetime:
    day = _TODAY[-1] - datetime.timedelta(days=int(days_ago))
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def _names(rng: random.Random, n: int) -> list[dict[str, Any]]:
    return [{"name": person_name(rng)} for _ in range(n)]


def _hold(run, *, day: float, due: int, present: int, rng: random.Random, actor: Any, member: User | None) -> None:
    """Call the stage's meeting four days ahead (the notice), hold it with `present` signed in and
    a show of hands all for, close it and freeze its minutes after the comment window."""
    roster = _names(rng, due - 1) + [{"user": member, "name": member.full_name}] if member else _names(rng, due)
    with clock(_at(day + 4, 10)):
        meeting = runs.stage_meeting_call(
            actor=actor, run=run, starts_at=_at(day, 15), roster=roster, place="社区党群服务中心"
        )
        meeting = meetings.meeting_step(actor=actor, meeting=meeting, step="notify")
    with clock(_at(day, 15)):
        meeting = meetings.meeting_step(actor=actor, meeting=meeting, step="open")
        for attendee in meeting.attendees.filter(due=True).order_by("pk")[:present]:
            meetings.sign_in(actor=actor, meeting=meeting, attendee=attendee)
        item = meeting.items.get()
        if present * 3 >= due * 2:  # a quorum: count the hands
            meetings.hands_record(actor=actor, item=item, votes_for=present - 1, against=0, abstain=1)
        meeting = meetings.meeting_step(actor=actor, meeting=meeting, step="close")
        meetings.minutes_save(
            actor=actor, meeting=meeting, text=f"会议听取了「{run.title}」的方案说明，与会人员逐项讨论后举手表决。"
        )
        meeting = meetings.meeting_step(actor=actor, meeting=meeting, step="publish_minutes")
    with clock(_at(day - 3, 10)):
        meetings.meeting_step(actor=actor, meeting=meeting, step="freeze")


def _councils(rng: random.Random, communities: list[Area], worker: User | None) -> Council | None:
    home_council = None
    for i, community in enumerate(communities):
        actor = worker if community.name == HOME else None
        with clock(_at(400)):
            council = councils.council_save(
                actor=actor,
                community=community,
                name=f"{community.name}红色议事厅",
                term_start=TERM[0],
                term_end=TERM[1],
                charter="坚持党的领导，社区党委领导议事协商工作；民事民议、民事民决、民事民办。",
                election_committee="社区党委书记任主任，居委会、业委会、居民代表各一名",
            )
        reps = 10 + i % 4
        # At or just above 40 % (4 of 10, 5 of 12, 6 of 13); the BELOW council 4 of 11 (36.4 %).
        party = math.ceil(reps * 0.4) if i != BELOW else math.floor(reps * 0.4)
        for k in range(reps):
            councils.representative_elect(
                actor=actor,
                council=council,
                name=person_name(rng),
                household=f"{k + 1}栋{rng.randint(1, 28)}0{rng.randint(1, 4)}",
                is_party_member=k < party,
            )
        if community.name == HOME:
            home_council = council
    return home_council


def _neighbour(rng: random.Random, home: Area, worker: User | None) -> None:
    estate = Estate.objects.filter(community=home).order_by("pk").first()
    if estate is None:
        return
    with clock(_at(380)):
        council = councils.council_save(
            actor=worker,
            community=home,
            estate=estate,
            kind=CouncilKind.NEIGHBOUR,
            name=f"{estate.name}邻里议事厅",
            term_start=TERM[0],
            term_end=TERM[1],
            charter="小区党支部领导，业委会、物业、居民代表共同议事。",
        )
        election = meetings.meeting_create(
            actor=worker,
            owner_key=f"deliberation.council:{council.pk}",
            area=home,
            kind="election",
            kind_label="议事代表选举会议",
            title=f"{estate.name}邻里议事厅代表选举",
            starts_at=_at(380, 15),
            recorder=worker,
            agenda=["选举议事代表"],
            roster=_names(rng, 30),
        )
    for k in range(7):
        councils.representative_elect(
            actor=worker,
            council=council,
            name=person_name(rng),
            household=f"{k + 1}栋",
            estate=estate,
            is_party_member=k < 3,
            election_meeting=election,
        )


def _topics(home: Area, council: Council | None, users: dict[str, User], worker: User | None) -> None:
    if council is None:
        return
    made = []
    for n, (title, source, status, by) in enumerate(TOPICS):
        with clock(_at(40 - n * 3, 20)):
            topic = topics.topic_submit(
                actor=users.get(by),
                community=home,
                title=title,
                source=source,
                source_ref="工单 C2026001234" if source == TopicSource.RECURRING else "",
            )
        made.append((topic, status))
        with clock(_at(38 - n * 3, 10)):
            if status == "decided":
                topics.topic_step(actor=worker, topic=topic, step=TopicStep.ACCEPT)
            elif status == "answered":
                topics.topic_step(
                    actor=worker, topic=topic, step=TopicStep.ANSWER, note="已与长者饭堂协商，晚餐延长至 19:00。"
                )
            elif status == "referred":
                topics.topic_step(
                    actor=worker, topic=topic, step=TopicStep.REFER, note="已转街道综合行政执法办公室处理。"
                )
    decided = [t for t, s in made if s == "decided"]
    with clock(_at(20, 10)):
        meeting = councils.council_meeting_call(
            actor=worker, council=council, title="婆石社区红色议事厅月度议事会", starts_at=_at(20, 15)
        )
    with clock(_at(20, 15)):
        meeting = meetings.meeting_step(actor=worker, meeting=meeting, step="open")
        present = meeting.attendees.filter(due=True).order_by("pk")
        for attendee in present[:9]:
            meetings.sign_in(actor=worker, meeting=meeting, attendee=attendee)
        meetings.hands_record(actor=worker, item=meeting.items.get(), votes_for=8, against=0, abstain=1)
        meetings.meeting_step(actor=worker, meeting=meeting, step="close")
    for topic in decided:
        topic.refresh_from_db()
        with clock(_at(19, 10)):
            topics.topic_step(
                actor=worker, topic=topic, step=TopicStep.DECIDE, note="同意在东门加装 4 盏太阳能路灯，由物业实施。"
            )
    # Accepted after that meeting: it waits for the next one.
    for topic, status in made:
        if status == "accepted":
            with clock(_at(10, 10)):
                topics.topic_step(actor=worker, topic=topic, step=TopicStep.ACCEPT)


def _runs(rng: random.Random, communities: list[Area], worker: User | None, member: User | None) -> None:
    for index, title, matters, started, stop in RUNS:
        community = communities[index % len(communities)]
        home = community.name == HOME
        actor = worker if home else None
        kinds = list(rules.matter_kinds(community))
        with clock(_at(started, 9)):
            run = runs.run_start(
                actor=actor,
                community=community,
                title=title,
                matters=[{"kind": kinds[k], "title": t, "amount": a} for k, t, a in matters],
            )
        day = started - 1
        for step, due in (
            (RunStep.PASS_PROPOSE, 7),
            (RunStep.PASS_CONSULT, 11),
            (RunStep.PASS_REVIEW, 45),
            (RunStep.PASS_RESOLVE, 30),
        ):
            day -= 5
            stuck = step == stop
            # The stuck run's members' meeting: 26 of 45 came, under 2/3.
            present = 26 if stuck else due - rng.randint(0, due // 4)
            _hold(
                run,
                day=day,
                due=due,
                present=present,
                rng=rng,
                actor=actor,
                member=member if home and step == RunStep.PASS_REVIEW else None,
            )
            if stuck:
                break
            with clock(_at(day - 4, 9)):
                run = runs.run_step(actor=actor, run=run, step=step)
        if stop is not None:
            continue
        with clock(_at(day - 6, 9)):
            run = runs.run_step(
                actor=actor,
                run=run,
                step=RunStep.PUBLISH_RESOLUTION,
                text=f"经居民代表会议表决通过：{title}。公示期内如有异议请向社区党委反映。",
            )
        with clock(_at(day - 26, 16)):
            run = runs.run_step(
                actor=actor,
                run=run,
                step=RunStep.PUBLISH_RESULT,
                text=f"{title}已实施完毕，资金使用明细已张贴于社区公开栏。",
            )
            runs.run_step(actor=actor, run=run, step=RunStep.CLOSE)


def build(rng: random.Random, built: Built) -> None:
    local = random.Random(rng.getrandbits(64))
    communities = list(Area.objects.filter(level=Level.COMMUNITY).order_by("path"))
    if not communities or Council.objects.exists():
        return
    _TODAY.append(timezone.localdate())
    users = {u.username: u for u in User.objects.filter(username__in=[WORKER, MEMBER, RESIDENT, GRID])}
    worker = users.get(WORKER)
    home = next((c for c in communities if c.name == HOME), communities[0])
    communities.sort(key=lambda c: c.name != HOME)  # the home community first: runs 0 and 2 are there
    home_council = _councils(local, communities, worker)
    _neighbour(local, home, worker)
    _topics(home, home_council, users, worker)
    _runs(local, communities, worker, users.get(MEMBER))
