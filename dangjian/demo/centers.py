"""Demo data of the service-centre network (dotted path: dangjian.demo.centers.build).

- 香洲区党群服务中心 (district), one centre per subdistrict, one per community except 桂花、园林、
  白石社区 (so the ten-minute circle has gaps), and two estate-level centres;
- rooms: a 多功能厅 that needs approval and a 会议室 that does not; weekday and Saturday hours;
- activities: a 党课 in 婆石社区 and a 少儿粤剧公益课 (two places, full, one on the waiting list);
- bookings: jm_resident's 会议室 booking, dw_contact's 多功能厅 request waiting for sq_worker.

Dated relative to today; written through the services.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.centers.models import ActivityKind, CenterLevel, FunctionArea, Norm, Room, ServiceCenter
from dangjian.centers.services import activities, bookings
from dangjian.centers.services import centres as centre_services

from .builder import DISTRICT_NAME, SUBDISTRICTS

F = FunctionArea
WITHOUT_CENTRE = {"桂花社区", "园林社区", "白石社区"}
ESTATE_CENTRES = ("婆石社区", "海虹社区")  # their first estate gets an estate-level centre
ALL_NORMS = dict.fromkeys(Norm.values, True)
WEEKDAY_HOURS = [(datetime.time(9), datetime.time(12)), (datetime.time(14, 30), datetime.time(17, 30))]
SATURDAY_HOURS = [(datetime.time(9), datetime.time(12))]
COMMUNITY_FUNCTIONS = [F.PARTY_ACTIVITY, F.MEDIATION, F.SOCIAL_SECURITY, F.CIVIL_AFFAIRS, F.HEALTH, F.CULTURE]


def _week(weekend: bool = True) -> dict[int, list]:
    week: dict[int, list] = dict.fromkeys(range(5), WEEKDAY_HOURS)
    week[5] = SATURDAY_HOURS if weekend else []
    week[6] = []
    return week


def _mean(points: list[tuple[float, float]]) -> tuple[float, float]:
    return (round(sum(p[0] for p in points) / len(points), 6), round(sum(p[1] for p in points) / len(points), 6))


def _rooms(center: ServiceCenter, hall: int = 80) -> tuple[Room, Room]:
    big = centre_services.room_save(
        actor=None, center=center, name="多功能厅", capacity=hall, equipment="投影、音响、舞台", requires_approval=True
    )
    small = centre_services.room_save(actor=None, center=center, name="会议室", capacity=20, equipment="会议桌、电视屏")
    return big, small


def _next_weekday(today: datetime.date, weekday: int, weeks: int = 0) -> datetime.date:
    days = (weekday - today.weekday()) % 7 or 7
    return today + datetime.timedelta(days=days + 7 * weeks)


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone())


def build(rng: random.Random, built: Any) -> None:
    centre_services.ensure_default_standards()
    district = built.areas[DISTRICT_NAME]
    org_by_name = built.orgs
    all_points = [(e.lat, e.lng) for estates in built.estates.values() for e in estates]
    lat, lng = _mean(all_points)
    top = centre_services.center_create(
        actor=None,
        area=district,
        name="香洲区党群服务中心",
        level=CenterLevel.DISTRICT,
        lat=lat,
        lng=lng,
        address="珠海市香洲区人民东路 1 号",
        floor_area=3600,
        phone="0756-2000000",
        functions=[F.PARTY_ACTIVITY, F.PARTY_SCHOOL, F.GOVERNMENT, F.VOLUNTEER, F.CULTURE, F.READING],
        norms=ALL_NORMS,
        org=org_by_name.get("中共珠海市香洲区委员会"),
        description="全区党群服务阵地的枢纽：党校主教学点、志愿服务总站和市民文化活动场所。",
    )
    centre_services.hours_set(
        actor=None, center=top, week={d: [(datetime.time(9), datetime.time(17, 30))] for d in range(7)}
    )
    top_hall, _top_room = _rooms(top, hall=120)
    centres: dict[str, ServiceCenter] = {}
    for sub in SUBDISTRICTS:
        area = built.areas[sub.name]
        points = [(e.lat, e.lng) for spec in sub.communities for e in built.estates[spec.name]]
        slat, slng = _mean(points)
        centre = centre_services.center_create(
            actor=None,
            area=area,
            name=f"{sub.name}党群服务中心",
            level=CenterLevel.SUBDISTRICT,
            lat=round(slat + 0.0004, 6),
            lng=round(slng - 0.0004, 6),
            address=f"珠海市香洲区{sub.roads[0]}88号",
            floor_area=rng.choice((900, 1100, 1250)),
            phone=f"0756-21{len(centres):02d}000",
            functions=[F.PARTY_ACTIVITY, F.GOVERNMENT, F.MEDIATION, F.SOCIAL_SECURITY, F.VOLUNTEER, F.PARTY_SCHOOL],
            norms=ALL_NORMS,
            org=org_by_name.get(f"中共{sub.name}工作委员会"),
        )
        centre_services.hours_set(actor=None, center=centre, week=_week())
        _rooms(centre, hall=100)
        centres[sub.name] = centre
        for spec in sub.communities:
            if spec.name in WITHOUT_CENTRE:
                continue
            estates = built.estates[spec.name]
            clat, clng = estates[0].lat, estates[0].lng  # beside the community's own estate
            small = rng.random() < 0.3
            centre = centre_services.center_create(
                actor=None,
                area=built.areas[spec.name],
                name=f"{spec.name}党群服务中心",
                level=CenterLevel.COMMUNITY,
                lat=round(clat + 0.0008, 6),
                lng=round(clng + 0.0006, 6),
                address=estates[0].address,
                floor_area=420 if small else rng.choice((520, 750, 800)),
                phone=f"0756-22{len(centres):02d}000",
                functions=COMMUNITY_FUNCTIONS[:-2] if small else COMMUNITY_FUNCTIONS,
                norms={n: not (small and n == Norm.SIGNAGE) for n in Norm.values},
                org=org_by_name.get(f"{spec.name}大党委") or org_by_name.get(f"{spec.name}党委"),
            )
            centre_services.hours_set(actor=None, center=centre, week=_week())
            _rooms(centre)
            centres[spec.name] = centre
    for community in ESTATE_CENTRES:
        estate = built.estates[community][-1]
        centre = centre_services.center_create(
            actor=None,
            area=built.areas[community],
            estate=estate,
            name=f"{estate.name}党群服务站",
            level=CenterLevel.ESTATE,
            lat=estate.lat,
            lng=estate.lng,
            address=estate.address,
            floor_area=300 if community == ESTATE_CENTRES[0] else 260,
            functions=[F.PARTY_ACTIVITY, F.DELIBERATION],
            norms={Norm.PLANNING: True, Norm.FUNCTIONS: True},
        )
        centre_services.hours_set(
            actor=None, center=centre, week={d: [(datetime.time(18), datetime.time(21))] for d in range(5)}
        )
        centre_services.room_save(actor=None, center=centre, name="议事室", capacity=15, equipment="会议桌")

    today = timezone.localdate()
    home = centres["婆石社区"]
    hall = Room.objects.get(center=home, name="多功能厅")
    meeting = Room.objects.get(center=home, name="会议室")
    lecture_day = _next_weekday(today, 1)  # next Tuesday
    activities.activity_create(
        actor=None,
        kind=ActivityKind.PARTY_LECTURE,
        title="党课：学习党的二十大精神",
        room=hall,
        start=_at(lecture_day, 9),
        end=_at(lecture_day, 11),
        capacity=60,
        organizer_org=home.org,
        description="社区党委书记讲党课，欢迎党员和居民参加。",
    )
    opera_day = _next_weekday(today, 5)  # next Saturday
    opera = activities.activity_create(
        actor=None,
        kind=ActivityKind.PUBLIC_CLASS,
        title="少儿粤剧公益课",
        room=top_hall,
        start=_at(opera_day, 9, 30),
        end=_at(opera_day, 11),
        capacity=2,
        organizer_org=top.org,
        description="粤剧老师带孩子学唱腔、身段，免费参加，名额有限。",
    )
    users = {
        u.username: u for u in User.objects.filter(username__in=["dy_member", "jm_resident", "sq_worker", "dw_contact"])
    }
    for name in ("jm_resident", "dy_member", "sq_worker"):
        if name in users:
            activities.signup_create(actor=users[name], activity=opera)
    study_day = _next_weekday(today, 3)
    activities.activity_create(
        actor=None,
        kind=ActivityKind.STUDY,
        title="党校分教点：基层治理专题学习",
        center=centres["拱北街道"],
        place="二楼党校教室",
        start=_at(study_day, 15),
        end=_at(study_day, 17),
        capacity=None,
        organizer_org=centres["拱北街道"].org,
    )
    if "jm_resident" in users:
        day = _next_weekday(today, 2)
        bookings.booking_create(
            actor=users["jm_resident"],
            room=meeting,
            start=_at(day, 15),
            end=_at(day, 16, 30),
            purpose="楼栋居民议事：加装电梯意见征集",
            attendees=12,
        )
    if "dw_contact" in users:
        day = _next_weekday(today, 4)
        bookings.booking_create(
            actor=users["dw_contact"],
            room=hall,
            start=_at(day, 14, 30),
            end=_at(day, 16, 30),
            purpose="口岸中心党支部与社区联合主题党日",
            attendees=50,
        )
