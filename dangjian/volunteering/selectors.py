"""Reads of volunteering, scoped to the signed-in person."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, Sum
from django.http import Http404
from django.utils import timezone

from dangjian.accounts.models import RoleAssignment, User
from dangjian.centers.models import SignUp, SignUpStatus

from .models import Attendance, ServicePost, Shift, ShiftSignUp, ShiftSignUpStatus, Team, TeamActivity, TeamMember
from .permissions import is_territorial
from .services import home_community

LIVE_SIGNUP = [SignUpStatus.CONFIRMED, SignUpStatus.ATTENDED]


def _member_teams_q(user: Any) -> Q:
    """A member or resident sees the teams of their home community and the teams they are in."""
    q = Q(members__user=user, members__left_at__isnull=True) | Q(leader=user)
    home = home_community(user)
    if home is not None:
        q |= Q(area=home)
    return q


def teams_for(user: Any, *, q: str = ""):
    if is_territorial(user):
        qs = Team.objects.visible_to(user)
    else:
        qs = Team.objects.filter(_member_teams_q(user))
    qs = qs.filter(is_active=True)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(area__name__icontains=q))
    ids = qs.values("pk")
    return (
        Team.objects.filter(pk__in=ids)
        .select_related("area", "leader")
        .annotate(member_count=Count("members", filter=Q(members__left_at__isnull=True), distinct=True))
        .order_by("area__path", "-fixed_group", "name")
    )


def team_for(user: Any, public_id: Any) -> Team:
    try:
        return teams_for(user).get(public_id=public_id)
    except (Team.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc


# A team's members by when they joined (core.keyset: the id breaks ties).
TEAM_MEMBER_ORDER = ("joined_at", "pk")


def team_members(team: Team):
    return (
        TeamMember.objects.filter(team=team, left_at__isnull=True).select_related("user").order_by(*TEAM_MEMBER_ORDER)
    )


def is_team_member(team: Team, user: Any) -> bool:
    return TeamMember.objects.filter(team=team, user=user, left_at__isnull=True).exists()


def addable_user(team: Team, mobile: str) -> User | None:
    """A person a worker may add: someone with a role in the team's community (by their full mobile)."""
    mobile = (mobile or "").strip()
    if not mobile:
        return None
    in_community = RoleAssignment.objects.filter(is_active=True).filter(
        Q(home_community=team.area) | Q(area__path__startswith=team.area.path)
    )
    return User.objects.filter(mobile=mobile, is_active=True, role_assignments__in=in_community).distinct().first()


def _activities_base(user: Any):
    qs = TeamActivity.objects.all()
    if is_territorial(user):
        qs = qs.filter(pk__in=TeamActivity.objects.visible_to(user).values("pk"))
    else:
        teams = Team.objects.filter(_member_teams_q(user)).values("pk")
        qs = qs.filter(team__in=teams, activity__status="published")
    return qs.select_related("activity", "team__area")


def upcoming_activities(user: Any, *, team: Team | None = None, limit: int | None = None):
    qs = _activities_base(user).filter(activity__end__gte=timezone.now()).order_by("activity__start")
    if team is not None:
        qs = qs.filter(team=team)
    links = list(qs[:limit] if limit else qs)
    _count_signups([link.activity for link in links])
    return links


def past_activities(user: Any, *, team: Team | None = None, limit: int = 10):
    qs = _activities_base(user).filter(activity__end__lt=timezone.now()).order_by("-activity__start")
    if team is not None:
        qs = qs.filter(team=team)
    links = list(qs[:limit])
    _count_signups([link.activity for link in links])
    return links


def _count_signups(activities) -> None:
    rows = (
        SignUp.objects.filter(activity__in=activities)
        .values("activity_id")
        .annotate(
            confirmed=Count("pk", filter=Q(status__in=LIVE_SIGNUP)),
            waitlisted=Count("pk", filter=Q(status=SignUpStatus.WAITLISTED)),
        )
        if activities
        else []
    )
    by_id = {r["activity_id"]: r for r in rows}
    for a in activities:
        r: Any = by_id.get(a.pk, {})
        a.confirmed, a.waitlisted = r.get("confirmed", 0), r.get("waitlisted", 0)


def team_activity_for(user: Any, public_id: Any) -> TeamActivity:
    """A team activity by its activity's public id, for the workers of its territory (404 otherwise)."""
    try:
        return (
            TeamActivity.objects.visible_to(user)
            .select_related("activity__area", "team__area")
            .get(activity__public_id=public_id)
        )
    except (TeamActivity.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc


@dataclass
class RosterRow:
    signup: Any  # centers SignUp or ShiftSignUp
    attendance: Attendance | None


def activity_roster(link: TeamActivity) -> list[RosterRow]:
    signups = (
        SignUp.objects.filter(activity=link.activity)
        .exclude(status=SignUpStatus.CANCELLED)
        .select_related("user", "attendance")
        .order_by("status", "created_at", "pk")
    )
    return [RosterRow(s, getattr(s, "attendance", None)) for s in signups]


def posts_for(user: Any, *, q: str = ""):
    if is_territorial(user):
        qs = ServicePost.objects.visible_to(user)
    else:
        home = home_community(user)
        qs = ServicePost.objects.filter(active=True, area=home) if home else ServicePost.objects.none()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(place__icontains=q))
    return qs.select_related("area").order_by("area__path", "name")


def post_for(user: Any, public_id: Any) -> ServicePost:
    """Workers see the posts of their territory; members and residents any open post (they may serve anywhere)."""
    return ServicePost.objects.select_related("area").get_for_user(user, public_id)


def post_shifts(post: ServicePost, *, user: Any, upcoming: bool = True):
    now = timezone.now()
    qs = Shift.objects.filter(post=post)
    qs = qs.filter(end__gte=now) if upcoming else qs.filter(end__lt=now)
    live = ShiftSignUp.objects.filter(status=ShiftSignUpStatus.CONFIRMED).select_related("user", "attendance")
    shifts = list(
        qs.annotate(taken=Count("signups", filter=Q(signups__status=ShiftSignUpStatus.CONFIRMED)))
        .prefetch_related(Prefetch("signups", queryset=live, to_attr="live"))
        .order_by("start" if upcoming else "-start")[:30]
    )
    for shift in shifts:
        shift.mine = next((s for s in shift.live if s.user_id == user.pk), None)
        shift.left = shift.capacity - shift.taken
    return shifts


def upcoming_shifts(user: Any, *, limit: int = 10):
    posts = posts_for(user).filter(active=True).values("pk")
    return list(
        Shift.objects.filter(post__in=posts, end__gte=timezone.now())
        .select_related("post")
        .annotate(taken=Count("signups", filter=Q(signups__status=ShiftSignUpStatus.CONFIRMED)))
        .order_by("start")[:limit]
    )


@dataclass
class Mine:
    activities: list = field(default_factory=list)  # centers SignUps of volunteer activities, with attendance
    shifts: list = field(default_factory=list)  # ShiftSignUps with attendance
    verified_hours: Decimal = Decimal("0.0")
    verified_count: int = 0


def mine(user: Any, *, limit: int = 30) -> Mine:
    activity_signups = list(
        SignUp.objects.filter(user=user, activity__team_link__isnull=False)
        .exclude(status=SignUpStatus.CANCELLED)
        .select_related("activity__team_link__team", "attendance")
        .order_by("-activity__start")[:limit]
    )
    shift_signups = list(
        ShiftSignUp.objects.filter(user=user, status=ShiftSignUpStatus.CONFIRMED)
        .select_related("shift__post", "attendance")
        .order_by("-shift__start")[:limit]
    )
    totals = Attendance.objects.filter(user=user, verified=True).aggregate(h=Sum("hours"), n=Count("pk"))
    return Mine(
        activities=activity_signups,
        shifts=shift_signups,
        verified_hours=Decimal(totals["h"] or 0).quantize(Decimal("0.1")),
        verified_count=totals["n"] or 0,
    )


def attendance_of(source: Any) -> Attendance | None:
    return Attendance.objects.filter(
        **({"signup": source} if isinstance(source, SignUp) else {"shift_signup": source})
    ).first()


# -- the team and membership lists (the cockpit's volunteer_teams and volunteers link here) --------


def team_list(user: Any):
    """The active teams in a worker's or admin's territory, each with its live member count, as the
    volunteer_teams figure counts them (volunteering.facts)."""
    return (
        Team.objects.visible_to(user)
        .filter(is_active=True)
        .select_related("area", "leader")
        .annotate(member_count=Count("members", filter=Q(members__left_at__isnull=True)))
        .order_by("area__path", "-fixed_group", "name", "pk")
    )


def membership_list(user: Any):
    """The live memberships of the active teams in a worker's or admin's territory, one row per
    person and team, as the volunteers figure counts them."""
    teams = Team.objects.visible_to(user).filter(is_active=True).values("pk")
    return (
        TeamMember.objects.filter(team__in=teams, left_at__isnull=True)
        .select_related("team", "team__area", "user")
        .order_by("team__area__path", "team__name", "team_id", "joined_at", "pk")
    )
