"""Reads of dual registration: status per member and per unit, the desk, 应报未报, the five lists, the summary.

Other apps call `registration_status_for_member(member)` / `registration_status_for_unit(unit)` (or the
bulk `registration_states_for_members(ids)` / `registration_states_for_units(units)` on list pages).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.keyset import capped_counts
from dangjian.core.scoping import prefix_q, scope_for
from dangjian.core.tree import STEP
from dangjian.people.models import Member, MemberStatus
from dangjian.territory.models import Area, Level
from dangjian.units.models import ResidentUnit

from .facts import home_counts
from .models import (
    CommunityDocument,
    Registration,
    RegistrationKind,
    RegistrationLink,
    RegistrationStatus,
    ServiceIntention,
)
from .workflow import OPEN_STATUSES

S = RegistrationStatus
RECEIPT_SALT = "dangjian.registration.receipt"


# --- status of one member or unit ---------------------------------------------------------


@dataclass(frozen=True)
class RegistrationState:
    """Registered or not, where, since when. `registration` is the open one, else the latest closed one."""

    registration: Registration | None = None

    @property
    def status(self) -> str:
        return self.registration.status if self.registration else ""

    @property
    def registered(self) -> bool:
        return self.status == S.CONFIRMED

    @property
    def pending(self) -> bool:
        return self.status == S.SUBMITTED

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def community(self) -> Area | None:
        return self.registration.community if self.is_open and self.registration else None

    @property
    def since(self) -> datetime.datetime | None:
        """When the community confirmed it (registered members and units only)."""
        return self.registration.decided_at if self.registered and self.registration else None

    @property
    def label(self) -> str:
        if self.registered:
            return _("已报到")
        if self.pending:
            return _("待确认")
        return _("未报到")


def _pick(registrations: Iterable[Registration]) -> Registration | None:
    """The open registration if any, else the latest one."""
    rows = list(registrations)
    open_rows = [r for r in rows if r.status in OPEN_STATUSES]
    if open_rows:
        return open_rows[0]
    return max(rows, key=lambda r: (r.submitted_at, r.pk)) if rows else None


def _with_related(qs: QuerySet) -> QuerySet:
    return qs.select_related("community", "org", "unit", "member", "decided_by")


def registration_status_for_member(member: Member) -> RegistrationState:
    return RegistrationState(_pick(_with_related(Registration.objects.filter(member=member))))


def registration_states_for_members(member_ids: Iterable[int]) -> dict[int, RegistrationState]:
    """One query for a page of members: {member pk: state} (members never registered are absent)."""
    by_member: dict[int, list[Registration]] = {}
    for reg in _with_related(Registration.objects.filter(member_id__in=list(member_ids))):
        by_member.setdefault(reg.member_id, []).append(reg)
    return {pk: RegistrationState(_pick(rows)) for pk, rows in by_member.items()}


def _unit_registrations(units: list[ResidentUnit]) -> QuerySet:
    org_ids = [u.party_org_id for u in units if u.party_org_id]
    return _with_related(Registration.objects.filter(Q(unit__in=units) | Q(org_id__in=org_ids)))


def _state_for_unit(unit: ResidentUnit, rows: list[Registration]) -> RegistrationState:
    # The unit's organization registered at the unit's community (for a joint branch, through any of
    # its units); else whatever the unit itself filed, anywhere.
    here = [r for r in rows if r.org_id and r.org_id == unit.party_org_id and r.community_id == unit.community_id]
    picked = _pick(here)
    if picked is None or picked.status not in OPEN_STATUSES:
        own = _pick(r for r in rows if r.unit_id == unit.pk)
        if own is not None and (picked is None or own.status in OPEN_STATUSES):
            picked = own
    return RegistrationState(picked)


def registration_status_for_unit(unit: ResidentUnit) -> RegistrationState:
    return _state_for_unit(unit, list(_unit_registrations([unit])))


def registration_states_for_units(units: Iterable[ResidentUnit]) -> dict[int, RegistrationState]:
    """One query for a page of units: {unit pk: state}."""
    units = list(units)
    rows = list(_unit_registrations(units)) if units else []
    return {u.pk: _state_for_unit(u, rows) for u in units}


def normalize_name(name: str) -> str:
    # Spaces are dropped; the dots in minority names are typed in several ways.
    return "".join(name.split()).replace("•", "·").replace("・", "·").replace("．", "·")


def match_member(*, id_number: str, name: str) -> Member | None:
    """The member with this ID number AND this name (None either way it fails: nothing is revealed)."""
    return Member.objects.filter(id_number=id_number.strip().upper(), name=normalize_name(name)).first()


def match_unit(*, credit_code: str, name: str) -> ResidentUnit | None:
    """The unit with this credit code whose own name, or its Party organization's name, is `name`."""
    credit_code = credit_code.strip().upper()
    if not credit_code:
        return None
    unit = ResidentUnit.objects.filter(credit_code=credit_code).select_related("party_org").first()
    if unit is None:
        return None
    names = {normalize_name(unit.name)}
    if unit.party_org is not None:
        names.add(normalize_name(unit.party_org.name))
    return unit if normalize_name(name) in names else None


def member_for_user(user: Any) -> Member | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Member.objects.select_related("home_community", "org").filter(user=user).first()


# --- the desk ----------------------------------------------------------------------------


def out_of_home_q() -> Q:
    """Registrations filed somewhere other than where the member lives or the unit is."""
    member = Q(kind=RegistrationKind.MEMBER) & (
        Q(member__home_community__isnull=True) | ~Q(member__home_community=F("community"))
    )
    unit = Q(kind=RegistrationKind.UNIT, unit__isnull=False) & ~Q(unit__community=F("community"))
    return member | unit


# The desk's order: waiting for a decision first, then newest first (core.keyset: stored columns, the last
# one unique), served by registration_desk_community / registration_desk_order.
DESK_ORDER = ("desk_rank", "-submitted_at", "-pk")


def desk_registrations(
    user: Any,
    *,
    status: str = "",
    kind: str = "",
    community: Area | None = None,
    flagged: bool = False,
    query: str = "",
) -> QuerySet:
    qs = Registration.objects.visible_to(user)
    if status in S.values:
        qs = qs.filter(status=status)
    if kind in RegistrationKind.values:
        qs = qs.filter(kind=kind)
    if community is not None:
        qs = qs.filter(community=community)
    if flagged:
        qs = qs.filter(out_of_home_q())
    query = query.strip()
    if query:
        text = (
            Q(member__name__icontains=query)
            | Q(org__name__icontains=query)
            | Q(unit__name__icontains=query)
            | Q(contact_name__icontains=query)
        )
        if query.isascii() and query.isalnum():
            text |= Q(member__pinyin__contains=query.lower()) | Q(unit__pinyin__contains=query.lower())
        qs = qs.filter(text)
    return qs.order_by(*DESK_ORDER)


DESK_RELATED = ("community", "member__home_community", "org", "unit__community", "decided_by")


def is_out_of_home(registration: Registration) -> bool:
    member, unit = registration.member, registration.unit
    if member is not None:
        return member.home_community_id != registration.community_id
    return unit is not None and unit.community_id != registration.community_id


def pending_count(user: Any) -> int:
    return Registration.objects.visible_to(user).filter(status=S.SUBMITTED).count()


# --- 应报未报 ------------------------------------------------------------------------------


# The unregistered lists' order (core.keyset): a community's members or units by name.
UNREGISTERED_ORDER = ("name", "pk")


def unregistered_members(community: Area) -> QuerySet:
    """In-service members living in the community with no open registration anywhere."""
    open_reg = Registration.objects.filter(member=OuterRef("pk"), status__in=OPEN_STATUSES)
    return (
        Member.objects.filter(home_community=community, status=MemberStatus.IN_SERVICE)
        .filter(~Exists(open_reg))
        .select_related("org", "workplace", "home_estate")
        .order_by(*UNREGISTERED_ORDER)
    )


# The home-members list's order (core.keyset): people_member_name_scope.
HOME_MEMBER_ORDER = ("name", "pk")


def home_members(user: Any, *, area: Area | None = None, registered: str = "") -> QuerySet:
    """In-service members whose home community lies in the user's territory (and under `area`): those
    due to register there (registration.facts "due"); registered="yes" keeps those holding a confirmed
    member registration at their home community ("registered"), "no" the others."""
    scope = scope_for(user)
    members = Member.objects.filter(status=MemberStatus.IN_SERVICE, home_community__isnull=False)
    if not scope.everything:
        members = members.filter(prefix_q("home_community__path", scope.area_path))
    if area is not None:
        members = members.filter(prefix_q("home_community__path", area.path))
    if registered in ("yes", "no"):
        confirmed = Exists(
            Registration.objects.filter(
                member=OuterRef("pk"),
                community=OuterRef("home_community"),
                kind=RegistrationKind.MEMBER,
                status=S.CONFIRMED,
            )
        )
        members = members.filter(confirmed if registered == "yes" else ~confirmed)
    return members.select_related("home_community", "org").order_by(*HOME_MEMBER_ORDER)


def unregistered_units(community: Area) -> QuerySet:
    """Units located in the community whose Party organization exists and has no open registration here."""
    open_reg = Registration.objects.filter(
        org=OuterRef("party_org"), community=OuterRef("community"), status__in=OPEN_STATUSES
    )
    return (
        ResidentUnit.objects.filter(community=community, party_org__isnull=False)
        .filter(~Exists(open_reg))
        .select_related("party_org")
        .order_by(*UNREGISTERED_ORDER)
    )


# --- the five lists ----------------------------------------------------------------------


@dataclass(frozen=True)
class SectionSource:
    """Where one of the five lists gets its rows: a queryset per community and a row template."""

    items: Callable[[Area], QuerySet]
    row_template: str
    columns: tuple[tuple[Any, str], ...] = ()  # (heading, CSS class) per column
    # The list's order (core.keyset): stored columns an index serves with the community, the last unique.
    ordering: tuple[str, ...] = ("-pk",)


@dataclass
class ListSection:
    key: str
    title: str
    items: QuerySet | None  # None: the list is not there yet (its module has not landed)
    row_template: str = ""
    columns: tuple[tuple[Any, str], ...] = ()
    count: int | None = None  # a CappedCount: exact up to core.keyset.COUNT_CAP
    empty_text: str = ""
    ordering: tuple[str, ...] = ("-pk",)

    @property
    def available(self) -> bool:
        return self.items is not None


FIVE_LISTS: tuple[tuple[str, Any], ...] = (
    ("documents", gettext_lazy("文件清单")),
    ("registrations", gettext_lazy("报到清单")),
    ("demands", gettext_lazy("需求清单")),
    ("services", gettext_lazy("服务清单")),
    ("evaluations", gettext_lazy("评价清单")),
)
# Lists that fill when the demand loop (群众点单、社区派单、党员接单) lands: that module calls
# register_list_source("demands", SectionSource(...)) and so on, and the page shows its rows.
_SOURCES: dict[str, SectionSource] = {}


def register_list_source(key: str, source: SectionSource) -> None:
    if key not in dict(FIVE_LISTS):
        raise ValueError(f"not one of the five lists: {key}")
    _SOURCES[key] = source


DOCUMENT_ORDER = ("-published_on", "-pk")
CONFIRMED_ORDER = ("kind", "-decided_at", "-pk")  # registration_confirmed_list


def _documents(community: Area) -> QuerySet:
    return CommunityDocument.objects.filter(community=community).order_by(*DOCUMENT_ORDER)


def _confirmed(community: Area) -> QuerySet:
    # A decision always stamps decided_at (services), so the keyset's column holds no null here.
    return (
        Registration.objects.filter(community=community, status=S.CONFIRMED)
        .select_related("member", "org", "unit")
        .order_by(*CONFIRMED_ORDER)
    )


register_list_source(
    "documents",
    SectionSource(
        _documents,
        "registration/lists/_document_row.html",
        ((gettext_lazy("标题"), ""), (gettext_lazy("发布日期"), ""), ("", "")),
        DOCUMENT_ORDER,
    ),
)
register_list_source(
    "registrations",
    SectionSource(
        _confirmed,
        "registration/lists/_registration_row.html",
        (
            (gettext_lazy("报到人 / 单位"), ""),
            (gettext_lazy("类型"), ""),
            (gettext_lazy("服务意向"), "hide-phone"),
            (gettext_lazy("报到日期"), "hide-phone"),
        ),
        CONFIRMED_ORDER,
    ),
)

PENDING_TEXT = gettext_lazy("群众点单、社区派单、党员接单上线后，这里将列出本社区的%(list)s。")


def community_five_lists(community: Area, *, with_counts: bool = True) -> list[ListSection]:
    """The five lists of a community, in the seeds' order; those not yet available have items None.
    `with_counts`: every list's count, exact up to core.keyset.COUNT_CAP, all in one query."""
    sections = []
    for key, title in FIVE_LISTS:
        source = _SOURCES.get(key)
        if source is None:
            sections.append(ListSection(key, str(title), None, empty_text=str(PENDING_TEXT) % {"list": title}))
            continue
        sections.append(
            ListSection(
                key,
                str(title),
                source.items(community),
                source.row_template,
                source.columns,
                None,
                _("%(list)s暂无内容。") % {"list": title},
                tuple(source.ordering),
            )
        )
    if with_counts:
        listed = [(s, s.items) for s in sections if s.items is not None]
        counts = capped_counts({s.key: items for s, items in listed}, orderings={s.key: s.ordering for s, _i in listed})
        for s, _items in listed:
            s.count = counts[s.key]
    return sections


# --- the summary ---------------------------------------------------------------------------


@dataclass
class SummaryRow:
    community: Area
    subdistrict: Area | None
    members_due: int = 0  # in-service members living here
    members_done: int = 0  # ... of whom registered (confirmed) here
    members_confirmed: int = 0  # every confirmed member registration here
    members_pending: int = 0
    units_due: int = 0  # units here with a Party organization
    units_done: int = 0
    units_pending: int = 0

    @property
    def members_share(self) -> float | None:
        return round(100 * self.members_done / self.members_due, 1) if self.members_due else None

    @property
    def units_share(self) -> float | None:
        return round(100 * self.units_done / self.units_due, 1) if self.units_due else None


@dataclass
class Summary:
    area: Area
    rows: list[SummaryRow] = field(default_factory=list)
    total: SummaryRow | None = None

    def chart(self) -> dict[str, list]:
        return {
            "communities": [r.community.name for r in self.rows],
            "members_share": [r.members_share or 0 for r in self.rows],
            "units_share": [r.units_share or 0 for r in self.rows],
            "members_done": [r.members_done for r in self.rows],
            "members_due": [r.members_due for r in self.rows],
        }


def communities_under(area: Area) -> QuerySet:
    if area.level == Level.COMMUNITY:
        return Area.objects.filter(pk=area.pk)
    return Area.objects.filter(prefix_q("path", area.path), level=Level.COMMUNITY).order_by("path")


def home_counts_from_rows(area: Area) -> dict[int, tuple[int, int]]:
    """Per community under `area` (keyed by pk, communities with any count): (members due, members done)
    counted from the rows, the meaning registration_summary reads from the store (checks and tests)."""
    out: dict[int, list[int]] = {}
    members = Member.objects.filter(prefix_q("home_community__path", area.path), status=MemberStatus.IN_SERVICE)
    for cid, n in members.order_by().values_list("home_community_id").annotate(n=Count("pk")):
        out.setdefault(cid, [0, 0])[0] = n
    # Counted from the registrations side: a member has at most one open (so one confirmed) registration.
    done = Registration.objects.filter(
        prefix_q("community__path", area.path),
        kind=RegistrationKind.MEMBER,
        status=S.CONFIRMED,
        member__status=MemberStatus.IN_SERVICE,
        member__home_community=F("community"),
    )
    for cid, n in done.order_by().values_list("community_id").annotate(n=Count("pk")):
        out.setdefault(cid, [0, 0])[1] = n
    return {cid: (due, n) for cid, (due, n) in out.items()}


def registration_summary(area: Area) -> Summary:
    """Per community under `area`: who should register, who did, who is pending. A fixed number of queries."""
    communities = list(communities_under(area))
    sub_paths = {c.path[: 2 * STEP] for c in communities}
    subdistricts = {a.path: a for a in Area.objects.filter(path__in=sub_paths, level=Level.SUBDISTRICT)}
    rows = {c.pk: SummaryRow(c, subdistricts.get(c.path[: 2 * STEP])) for c in communities}
    if not rows:
        return Summary(area)
    # Members due (in service, living in the community) and done (holding a confirmed registration
    # there) from the figures store (registration.facts, the same meaning): two indexed queries.
    for cid, (due, done) in home_counts(communities).items():
        rows[cid].members_due, rows[cid].members_done = due, done
    regs = Registration.objects.filter(prefix_q("community__path", area.path), status__in=OPEN_STATUSES)
    for cid, kind, status, n in (
        regs.order_by().values_list("community_id", "kind", "status").annotate(n=Count("pk")).order_by()
    ):
        if cid not in rows:
            continue
        row = rows[cid]
        if kind == RegistrationKind.MEMBER:
            if status == S.CONFIRMED:
                row.members_confirmed = n
            else:
                row.members_pending = n
        elif status == S.SUBMITTED:
            row.units_pending = n
    units = ResidentUnit.objects.filter(prefix_q("community__path", area.path), party_org__isnull=False)
    for cid, n in units.order_by().values_list("community_id").annotate(n=Count("pk")):
        rows[cid].units_due = n
    unit_done = Registration.objects.filter(
        org=OuterRef("party_org"), community=OuterRef("community"), status=S.CONFIRMED
    )
    for cid, n in units.filter(Exists(unit_done)).order_by().values_list("community_id").annotate(n=Count("pk")):
        rows[cid].units_done = n
    ordered = [rows[c.pk] for c in communities]
    total = SummaryRow(area, None)
    for r in ordered:
        for name in (
            "members_due",
            "members_done",
            "members_confirmed",
            "members_pending",
            "units_due",
            "units_done",
            "units_pending",
        ):
            setattr(total, name, getattr(total, name) + getattr(r, name))
    return Summary(area, ordered, total)


# --- links, receipts, options --------------------------------------------------------------


def link_for(community: Area) -> RegistrationLink | None:
    return RegistrationLink.objects.filter(community=community).first()


def link_by_token(token: str) -> RegistrationLink | None:
    if not token or len(token) > 64:
        return None
    return RegistrationLink.objects.select_related("community__parent").filter(token=token).first()


def receipt_token(registration: Registration) -> str:
    """A signed token for the registrant's receipt page (the registration's id, unforgeable)."""
    return signing.dumps(str(registration.public_id), salt=RECEIPT_SALT, compress=True)


def registration_from_receipt(token: str) -> Registration | None:
    try:
        public_id = signing.loads(token, salt=RECEIPT_SALT)
    except signing.BadSignature:
        return None
    return (
        Registration.objects.select_related("community", "member", "org", "unit", "decided_by")
        .filter(public_id=public_id)
        .first()
    )


DEFAULT_SERVICE_INTENTIONS = (
    "政策宣讲",
    "文艺演出",
    "法律服务",
    "文明劝导",
    "爱心帮扶",
    "周末课堂",
    "医疗健康",
    "助老助残",
)


def service_intentions_for(community: Area | None) -> list[str]:
    """The options a registrant may tick: the district's own, else the defaults."""
    active = ServiceIntention.objects.filter(is_active=True).order_by("order", "pk")
    if community is not None:
        own = list(active.filter(district__path=community.path[:STEP]).values_list("name", flat=True))
        if own:
            return own
    defaults = list(active.filter(district__isnull=True).values_list("name", flat=True))
    if defaults or ServiceIntention.objects.exists():
        return defaults
    # No rows at all (the table was emptied): the built-in defaults, as the data migration seeds them.
    return list(DEFAULT_SERVICE_INTENTIONS)


def latest_documents(community: Area, limit: int = 5) -> list[CommunityDocument]:
    return list(_documents(community)[:limit])


def mark_home_registrations(members: list) -> None:
    """Set on each member of a page `home_registration` (the public id of its confirmed member
    registration at its home community, else None) and `pending` (one waits for a decision): one query."""
    regs = Registration.objects.filter(
        member_id__in=[m.pk for m in members],
        kind=RegistrationKind.MEMBER,
        status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.SUBMITTED],
    ).values_list("member_id", "community_id", "status", "public_id")
    home = {m.pk: m.home_community_id for m in members}
    confirmed, pending = {}, set()
    for member_id, community_id, status, public_id in regs:
        if status == RegistrationStatus.CONFIRMED and community_id == home[member_id]:
            confirmed[member_id] = public_id
        elif status == RegistrationStatus.SUBMITTED:
            pending.add(member_id)
    for m in members:
        m.home_registration = confirmed.get(m.pk)
        m.pending = m.pk not in confirmed and m.pk in pending
