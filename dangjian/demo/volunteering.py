"""Demo volunteering (a DEMO_EXTENSIONS step, run after the accounts, people, points and time bank steps).

Every community gets its five fixed service groups. In 婆石社区 the demo member (dy_member) and resident
(jm_resident) join teams; two past activities and a past post shift carry verified attendance, checked in
and out through the same scan service a phone uses (with the clock of the time), so hours reach the time
bank and points; upcoming activities and shifts are left to sign up for. Everything runs as the system.
"""

from __future__ import annotations

import datetime
import random
from typing import TYPE_CHECKING

from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.centers.services import activities as center_services
from dangjian.territory.models import Area, Level
from dangjian.volunteering import attendance, services
from dangjian.volunteering.models import FixedGroup, Team

if TYPE_CHECKING:
    from .builder import Built

HOME_COMMUNITY = "婆石社区"
MEMBER, RESIDENT = "dy_member", "jm_resident"
PAST = (
    # (team group, title, place, days ago, start hour, hours, minutes late at check-in)
    (FixedGroup.HEALTH, "重阳节义诊进小区", "中珠新村中心广场", 20, 9, 3, 10),
    (FixedGroup.CULTURE, "社区文艺汇演志愿服务", "婆石社区党群服务中心", 9, 14, 2, 0),
)
UPCOMING = (
    (FixedGroup.SAFETY, "楼道消防隐患排查", "中珠新村各楼栋", 3, 9, 2, 10),
    (FixedGroup.JUSTICE, "法律咨询进社区", "婆石社区党群服务中心", 6, 15, 2, None),
)
POST = ("政策宣讲岗", "婆石社区党群服务中心一楼", "为来访群众讲解惠民政策，协助办理事项。")


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def build(rng: random.Random, built: Built) -> None:
    local = random.Random(rng.getrandbits(64))
    for community in Area.objects.filter(level=Level.COMMUNITY).order_by("path"):
        services.fixed_teams_ensure(community)
    home = built.areas.get(HOME_COMMUNITY) or Area.objects.filter(name=HOME_COMMUNITY).first()
    member = User.objects.filter(username=MEMBER).first()
    resident = User.objects.filter(username=RESIDENT).first()
    if home is None or member is None:
        return
    teams = {t.fixed_group: t for t in Team.objects.filter(area=home).exclude(fixed_group="")}
    for group in (FixedGroup.HEALTH, FixedGroup.CULTURE):
        services.team_join(actor=member, team=teams[group], user=member)
    if resident is not None:
        services.team_join(actor=resident, team=teams[FixedGroup.SAFETY], user=resident)
    today = timezone.localdate()
    for group, title, place, days_ago, hour, length, late in PAST:
        start = _at(today - datetime.timedelta(days=days_ago), hour)
        link = services.team_activity_create(
            actor=None, team=teams[group], title=title, start=start, end=start + datetime.timedelta(hours=length),
            place=place, capacity=local.choice([10, 15, 20]),
        )  # fmt: skip
        _attend(link.activity.public_id, "activity", member, start, length, late, signup=link.activity)
    for group, title, place, days_ahead, hour, length, _late in UPCOMING:
        start = _at(today + datetime.timedelta(days=days_ahead), hour)
        link = services.team_activity_create(
            actor=None, team=teams[group], title=title, start=start, end=start + datetime.timedelta(hours=length),
            place=place, capacity=local.choice([8, 12]),
        )  # fmt: skip
        if group == FixedGroup.SAFETY and resident is not None:
            center_services.signup_create(actor=resident, activity=link.activity)
    name, place, description = POST
    post = services.post_create(actor=None, community=home, name=name, place=place, description=description)
    past_shift = services.shift_create(
        actor=None, post=post, start=_at(today - datetime.timedelta(days=4), 9),
        end=_at(today - datetime.timedelta(days=4), 11), capacity=2,
    )  # fmt: skip
    services.shift_signup_create(actor=member, shift=past_shift, now=past_shift.start - datetime.timedelta(days=1))
    _attend(post.public_id, "post", member, past_shift.start, 2, 5)
    for days_ahead in (1, 2, 5):
        day = today + datetime.timedelta(days=days_ahead)
        for hour in (9, 14):
            services.shift_create(actor=None, post=post, start=_at(day, hour), end=_at(day, hour + 2), capacity=2)


def _attend(public_id, kind: str, user, start: datetime.datetime, length: int, late: int, signup=None) -> None:
    """Sign up (before the start) and scan in and out with the clock of the time."""
    if signup is not None:
        center_services.signup_create(actor=user, activity=signup, now=start - datetime.timedelta(days=2))
    checked_in = start + datetime.timedelta(minutes=late)
    checked_out = start + datetime.timedelta(hours=length, minutes=5)
    for step, now in (("check_in", checked_in), ("check_out", checked_out)):
        token = attendance.CHECKIN.make(
            kind=kind, public_id=public_id, rotate_minutes=services.settings_for(Area(path="")).rotate_minutes, now=now
        )
        attendance.scan(actor=user, token=token, expected=step, now=now)
