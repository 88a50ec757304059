"""Reads for members, the household register and liaisons; all through visible_to()."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from dangjian.core.figures import facts
from dangjian.core.periods import days_q
from dangjian.core.scoping import prefix_q, scope_for
from dangjian.core.search import name_or_pinyin_q
from dangjian.orgs.models import OrgType, PartyOrg
from dangjian.territory.models import Area, Building, BuildingKind, Estate, Level

from .facts import ACTIVE, MEMBERS
from .models import (
    ACTIVE_STATUSES,
    UNMANAGED_STATUSES,
    Household,
    Liaison,
    Member,
    MemberStatus,
    MemberStatusChange,
    MemberTransfer,
    Resident,
    ResidentTag,
)
from .permissions import MEMBER_ROLES

# Group-level nodes hold no members of their own; filters offer organizations down to branches.
MEMBER_HOLDING_ORG_TYPES = [
    t for t in OrgType.values if t not in {OrgType.PARTY_GROUP, OrgType.BUILDING_GROUP, OrgType.HUB_HOUSEHOLD}
]

STATUS_ALL = "all"
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# Moved-out and deceased members, kept as history. "On the books" is written as excluding these
# rather than listing ACTIVE_STATUSES, so a planner without statistics (SQLite) does not pick the
# status index (nearly every row) over the organization and home indexes.
OFF_BOOKS_STATUSES = [s for s in MemberStatus.values if s not in ACTIVE_STATUSES]

# The lists' orders (core.keyset: stored columns, the last one unique), each served by an index:
MEMBER_ORDER = ("name", "pk")  # people_member_name_scope; with a status filter people_member_status_name
FLOATING_ORDER = ("status", "name", "pk")  # people_member_status_name
TRANSFER_ORDER = ("-at", "-pk")  # people_transfer_at
LIAISON_ORDER = ("-is_active", "level", "leader_name", "pk")
ACCOUNT_REQUEST_ORDER = ("-pending_at", "pk")


# --- members -------------------------------------------------------------------------------


def member_orgs_for(user: Any) -> QuerySet[PartyOrg]:
    """Organizations the user may pick (as a filter or a transfer destination), in tree order."""
    return (
        PartyOrg.objects.visible_to(user)
        .filter(org_type__in=MEMBER_HOLDING_ORG_TYPES)
        .only("public_id", "name", "depth", "path")
        .order_by("path")
    )


def communities_for(user: Any) -> QuerySet[Area]:
    return Area.objects.visible_to(user).filter(level=Level.COMMUNITY).only("public_id", "name").order_by("path")


def member_list(
    user: Any,
    *,
    query: str = "",
    status: str = "",
    category: str = "",
    org: PartyOrg | None = None,
    community: Area | None = None,
) -> QuerySet[Member]:
    """The members the user may see, searched by name or pinyin initials and filtered.

    No status filter means the members on the books (ACTIVE_STATUSES); "all" adds the moved-out
    and deceased kept as history.
    """
    members = Member.objects.visible_to(user).select_related("org", "home_community")
    if query:
        members = members.filter(name_or_pinyin_q(query))
    if status == STATUS_ALL:
        pass
    elif status:
        members = members.filter(status=status)
    else:
        members = members.exclude(status__in=OFF_BOOKS_STATUSES)
    if category:
        members = members.filter(category=category)
    if org is not None:
        members = members.filter(prefix_q("org__path", org.path))
    if community is not None:
        members = members.filter(home_community=community)
    return members.order_by(*MEMBER_ORDER)


def member_managed_by(user: Any, member: Member) -> bool:
    """Whether the user may change the member: their organization is in the user's scope, or, for a
    member without a known organization (a pocket member), their home is. A member who merely lives
    in a community is seen there but managed by their own organization."""
    scope = scope_for(user)
    if scope.everything:
        return True
    if scope.role not in MEMBER_ROLES or not scope.area_path:
        return False
    org, home = member.org, member.home_community
    if org is not None:
        return bool(org.area is not None and org.area.path.startswith(scope.area_path))
    return bool(home is not None and home.path.startswith(scope.area_path))


def member_history(member: Member) -> dict[str, list]:
    return {
        "transfers": list(member.transfers.select_related("from_org", "to_org", "actor").order_by("-at", "-pk")),
        "status_changes": list(member.status_changes.select_related("actor").order_by("-at", "-pk")),
    }


def unmanaged_members(user: Any, *, org: PartyOrg | None = None, notes: bool = True) -> QuerySet[Any]:
    """Floating and pocket members the user may see (in `org`'s subtree when given), with the
    latest status note (where a floating member went, how a pocket member was found). `notes=False`:
    without it, for a page of the list (core.keyset reads rows without annotations: attach_status_notes)."""
    members = (
        Member.objects.visible_to(user)
        .filter(status__in=UNMANAGED_STATUSES)
        .select_related("org__area", "home_community", "home_estate")
    )
    if notes:
        latest = MemberStatusChange.objects.filter(member=OuterRef("pk")).order_by("-at", "-pk")
        members = members.annotate(
            status_note=Subquery(latest.values("note")[:1]), status_since=Subquery(latest.values("at")[:1])
        )
    if org is not None:
        members = members.filter(prefix_q("org__path", org.path))
    return members.order_by(*FLOATING_ORDER)


def attach_status_notes(members: list[Member]) -> list[Member]:
    """Set status_note and status_since (the latest status change) on a page of members: one query."""
    latest: dict[int, MemberStatusChange] = {}
    changes = MemberStatusChange.objects.filter(member_id__in=[m.pk for m in members]).order_by("-at", "-pk")
    for change in changes.only("member_id", "note", "at"):
        latest.setdefault(change.member_id, change)
    for member in members:
        last = latest.get(member.pk)
        member.status_note = last.note if last else None  # type: ignore[attr-defined]
        member.status_since = last.at if last else None  # type: ignore[attr-defined]
    return members


def my_member(user: Any) -> Member | None:
    """The member record linked to a signed-in Party member's account."""
    return (
        Member.objects.visible_to(user)
        .select_related("org", "workplace", "home_community", "home_estate", "home_building")
        .filter(user=user)
        .first()
    )


def transfers_visible_to(user: Any) -> QuerySet[MemberTransfer]:
    return MemberTransfer.objects.visible_to(user)


def transfer_list(
    user: Any,
    *,
    query: str = "",
    org: PartyOrg | None = None,
    member: Member | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> QuerySet[MemberTransfer]:
    """组织关系转接记录 the user may see, newest first: by member name (or pinyin initials), by an
    organization's subtree (moved out of it or into it), by member, by date (local days, inclusive)."""
    transfers = transfers_visible_to(user).select_related("member", "from_org", "to_org", "actor")
    if query:
        transfers = transfers.filter(member__in=Member.objects.filter(name_or_pinyin_q(query)).values("pk"))
    if org is not None:
        transfers = transfers.filter(prefix_q("from_org__path", org.path) | prefix_q("to_org__path", org.path))
    if member is not None:
        transfers = transfers.filter(member=member)
    transfers = transfers.filter(days_q("at", since, until))
    return transfers.order_by(*TRANSFER_ORDER)


# --- accounts for members and liaisons -----------------------------------------------------

ACCOUNT_RESULTS = 20


def account_candidates(actor: Any, query: str, *, unlinked_only: bool = False) -> list[Any]:
    """Accounts the actor may pick for a member or a liaison.

    Browsing by part of a name only covers the accounts the actor already sees (an admin: those
    holding a role in their territory); anyone else is found by their exact username or full mobile
    number, so the account list of the whole deployment cannot be read by guessing.
    """
    from dangjian.accounts.models import User

    query = (query or "").strip()
    if not query:
        return []
    exact = Q(username__iexact=query)
    if MOBILE_RE.fullmatch(query):
        exact |= Q(mobile=query)
    partial = Q(username__icontains=query) | Q(full_name__icontains=query)
    visible = User.objects.visible_to(actor)
    seen = visible.filter(partial).values("pk")
    users = User.objects.filter(exact | Q(pk__in=seen), is_active=True, is_superuser=False)
    if unlinked_only:
        users = users.filter(member__isnull=True)
    # `named`: the actor may see who holds the account. A stranger found by exact username or number
    # shows only that username: the name and number stay with the account (it is theirs to accept).
    users = users.annotate(named=Exists(visible.filter(pk=OuterRef("pk"))))
    return list(users.select_related("member").order_by("username")[:ACCOUNT_RESULTS])


def account_requests_for(user: Any) -> QuerySet[Member]:
    """Members a worker asked to link to `user`'s account, waiting for `user` to answer."""
    if not getattr(user, "is_authenticated", False):
        return Member.objects.none()
    return (
        Member.objects.filter(pending_user=user)
        .select_related("org", "home_community", "pending_by")
        .order_by(*ACCOUNT_REQUEST_ORDER)
    )


# --- the household register ----------------------------------------------------------------


def tag_q(tag: str, field: str = "tags") -> Q:
    """Residents carrying `tag`: JSON containment on PostgreSQL (`tags @> '["x"]'`, served by the GIN
    index of people migration 0006); SQLite has no containment, so there the quoted code is matched in
    the JSON text (tags are our own ASCII codes, so the match is exact)."""
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__contains": [tag]})
    return Q(**{f"{field}__icontains": f'"{tag}"'})


# The tag list's order: grid by grid (or community), then as entered; the scope index serves it.
RESIDENT_ORDER = ("area_path", "id")


def register_buildings(user: Any, *, query: str = "") -> QuerySet[Building]:
    """The residential buildings in the user's scope (counts come per page: register_counts)."""
    buildings = Building.objects.visible_to(user).exclude(kind=BuildingKind.OFFICE).select_related("estate", "grid")
    if query:
        buildings = buildings.filter(Q(name__icontains=query) | Q(estate__name__icontains=query))
    return buildings.order_by("estate__name", "name", "pk")


def register_counts(buildings: list[Building]) -> None:
    """Set n_households and n_residents on the buildings of one page: two grouped queries, however
    many buildings the scope holds (aggregating the whole scope first would not scale to admins)."""
    ids = [b.pk for b in buildings]
    households = dict(
        Household.objects.filter(building_id__in=ids).order_by().values_list("building_id").annotate(n=Count("pk"))
    )
    residents = dict(
        Resident.objects.filter(household__building_id__in=ids)
        .order_by()
        .values_list("household__building_id")
        .annotate(n=Count("pk"))
    )
    for b in buildings:
        b.n_households = households.get(b.pk, 0)  # type: ignore[attr-defined]
        b.n_residents = residents.get(b.pk, 0)  # type: ignore[attr-defined]


def register_tag_counts(user: Any) -> list[tuple[str, str, int | None]]:
    """How many residents in the user's scope carry each tag: (code, label, count), one query.

    Counted for a grid or a community (hundreds to thousands of residents); above that the
    chips carry no count (None), since counting a district's millions on every visit is waste."""
    scope = scope_for(user)
    if scope.area_level not in {Level.GRID, Level.COMMUNITY}:
        return [(tag, str(ResidentTag(tag).label), None) for tag in ResidentTag.values]
    aggregates = {tag: Count("pk", filter=tag_q(tag)) for tag in ResidentTag.values}
    counts = Resident.objects.visible_to(user).aggregate(**aggregates)
    return [(tag, str(ResidentTag(tag).label), counts[tag]) for tag in ResidentTag.values]


def residents_with_tag(user: Any, *, tag: str, query: str = "") -> QuerySet[Resident]:
    residents = (
        Resident.objects.visible_to(user)
        .filter(tag_q(tag))
        .select_related("household__building__estate", "household__building__grid")
    )
    if query:
        residents = residents.filter(name__icontains=query)
    return residents.order_by(*RESIDENT_ORDER)


def building_households(building: Building) -> list[Household]:
    return list(Household.objects.filter(building=building).prefetch_related("residents").order_by("room", "pk"))


# --- liaisons ------------------------------------------------------------------------------


def liaisons_on_node(user: Any, area: Area) -> list[Liaison]:
    """Active liaisons of a community (and of its grids and estates) or of a grid (and the estates in it)."""
    if area.level == Level.COMMUNITY:
        where = Q(area=area) | Q(area__parent=area) | Q(estate__community=area)
    elif area.level == Level.GRID:
        where = Q(area=area) | Q(estate__in=Estate.objects.filter(grids=area).values("pk"))
    else:
        return []
    return list(
        Liaison.objects.visible_to(user)
        .filter(where, is_active=True)
        .select_related("area", "estate")
        .order_by("level", "leader_name", "pk")
    )


def liaison_list(
    user: Any, *, query: str = "", level: str = "", state: str = "", node: Area | None = None
) -> QuerySet[Liaison]:
    liaisons = Liaison.objects.visible_to(user).select_related("area", "estate__community", "user")
    if query:
        liaisons = liaisons.filter(Q(leader_name__icontains=query) | Q(post__icontains=query))
    if level:
        liaisons = liaisons.filter(level=level)
    if state == "ended":
        liaisons = liaisons.filter(is_active=False)
    elif state != "all":
        liaisons = liaisons.filter(is_active=True)
    if node is not None:
        if node.level == Level.GRID:
            liaisons = liaisons.filter(Q(area=node) | Q(estate__in=Estate.objects.filter(grids=node).values("pk")))
        else:
            liaisons = liaisons.filter(
                prefix_q("area__path", node.path) | prefix_q("estate__community__path", node.path)
            )
    return liaisons.order_by(*LIAISON_ORDER)


def my_liaisons(user: Any) -> list[Liaison]:
    """The signed-in leader's own active assignments (their account was picked on the liaison form)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Liaison.objects.filter(user=user, is_active=True)
        .select_related("area", "estate__community")
        .order_by("level", "pk")
    )


def liaison_targets_for(user: Any) -> tuple[QuerySet[Area], QuerySet[Estate]]:
    """Communities and grids, and estates, an admin may assign a liaison to."""
    areas = (
        Area.objects.visible_to(user)
        .filter(level__in=[Level.COMMUNITY, Level.GRID])
        .only("public_id", "name", "level", "path")
        .order_by("path")
    )
    estates = Estate.objects.visible_to(user).select_related("community").order_by("community__path", "name")
    return areas, estates


def residents_in_buildings_named(user: Any, *, query: str = "") -> QuerySet[Resident]:
    """The residents in the user's scope, of the buildings or estates whose name contains `query`."""
    residents = Resident.objects.visible_to(user)
    if query:
        residents = residents.filter(
            Q(household__building__name__icontains=query) | Q(household__building__estate__name__icontains=query)
        )
    return residents


# --- member counts of an organization's subtree (figures store) -------------------------------------


def member_counts(org: PartyOrg | None, *, on: datetime.date | None = None) -> dict[str, int]:
    """Members in `org`'s subtree (None: every organization) as of the end of `on` (default today), from
    the figures store: "members" (all on record), "active" (on an organization's books) and one count per
    status. Two indexed queries, however many members the subtree holds."""
    total = facts.stock_total(MEMBERS, org.path if org is not None else "", on=on)
    return {name: total[name] for name in MEMBERS.counts}


def member_counts_from_rows(org: PartyOrg | None) -> dict[str, int]:
    """The same counts as member_counts, today, counted from the members table (checks and benches)."""
    members = Member.objects.filter(org__isnull=False)
    if org is not None:
        members = members.filter(prefix_q("org__path", org.path))
    out = dict.fromkeys(MEMBERS.counts, 0)
    for status, n in members.order_by().values_list("status").annotate(n=Count("pk")):
        out[status] = n
        out["members"] += n
        out["active"] += n if status in ACTIVE else 0
    return out
