"""Reading the time bank: balances, a person's statement, a community's journals."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import OuterRef, Prefetch, Q, Subquery, Sum
from django.utils.translation import gettext as _

from dangjian.territory.models import Area

from .models import Account, AccountKind, Entry, Journal, JournalKind

ONE_PLACE = Decimal("0.1")


def _q(value) -> Decimal:
    return Decimal(value or 0).quantize(ONE_PLACE)


def mask_name(name: str) -> str:
    """Another person's name as a member sees it: the family name and stars."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    return name[0] + "*" * (len(name) - 1)


def account_label(account: Account, *, viewer=None, reveal_names: bool = False) -> str:
    if account.kind == AccountKind.PERSON:
        if viewer is not None and account.owner_id == viewer.pk:
            return _("我")
        name = str(account.owner)
        return name if reveal_names else mask_name(name)
    short: dict[str, str] = {
        AccountKind.POOL: _("互助池"),
        AccountKind.ISSUANCE: _("服务发行"),
        AccountKind.ESCROW: _("点单托管"),
    }
    community = account.community.name if account.community is not None else ""
    return f"{community}·{short.get(account.kind, account.get_kind_display())}"


def person_account_of(user) -> Account | None:
    return Account.objects.filter(kind=AccountKind.PERSON, owner=user).first()


def community_balances(community: Area) -> dict[str, Decimal]:
    """The pool, issuance and escrow balances of one community, in one query."""
    rows = (
        Entry.objects.filter(account__community=community)
        .values("account__kind")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    totals = {row["account__kind"]: _q(row["total"]) for row in rows}
    return {kind: totals.get(kind, _q(0)) for kind in (AccountKind.POOL, AccountKind.ISSUANCE, AccountKind.ESCROW)}


@dataclass
class StatementRow:
    entry: Entry
    amount: Decimal
    balance_after: Decimal
    kind_label: str
    memo: str
    counterparty: str
    at: object


def _entries_with_journal():
    # Each row shows what the movement was: the journal and the other side(s) of it.
    others = Entry.objects.select_related("account__owner", "account__community").order_by("id")
    return Entry.objects.select_related("journal").prefetch_related(Prefetch("journal__entries", queryset=others))


def _counterparty(entry: Entry, viewer) -> str:
    labels = [
        account_label(other.account, viewer=viewer)
        for other in entry.journal.entries.all()
        if other.account_id != entry.account_id
    ]
    return "、".join(dict.fromkeys(labels))


def statement(user, *, page: int | str = 1, per_page: int = 20, q: str = "") -> Page:
    """One page of a person's entries, newest first, each with the balance right after it.

    Unfiltered, one aggregate gives the balance after the page's newest row and the rest follow by
    walking down the page. With a search, rows are not contiguous: each row's running balance is then
    its own indexed sum (entries of this account up to that row).
    """
    account = person_account_of(user)
    qs = _entries_with_journal().filter(account=account) if account else Entry.objects.none()
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(journal__memo__icontains=q))
        running = Entry.objects.filter(account=account, id__lte=OuterRef("id")).order_by().values("account")
        qs = qs.annotate(balance_after=Subquery(running.annotate(t=Sum("amount")).values("t")[:1]))
    paginator = Paginator(qs.order_by("-id"), per_page)
    page_obj = paginator.get_page(page)
    entries = list(page_obj.object_list)
    rows: list[StatementRow] = []
    if entries:
        if q:
            after_values = [_q(e.balance_after) for e in entries]
        else:
            top = Entry.objects.filter(account=account, id__lte=entries[0].id).aggregate(t=Sum("amount"))["t"]
            after_values, running_total = [], _q(top)
            for e in entries:
                after_values.append(running_total)
                running_total -= e.amount
        for e, after in zip(entries, after_values, strict=True):
            rows.append(
                StatementRow(
                    entry=e,
                    amount=_q(e.amount),
                    balance_after=after,
                    kind_label=str(e.journal.get_kind_display()),
                    memo=e.journal.memo,
                    counterparty=_counterparty(e, user),
                    at=e.journal.created_at,
                )
            )
    page_obj.object_list = rows
    return page_obj


# A community's journals, newest first (core.keyset): timebank_journal_comm_id walked backwards.
JOURNAL_ORDER = ("-id",)


def community_journals(community: Area, *, q: str = ""):
    """A community's journals, newest first, with their entries and who posted them."""
    entries = Entry.objects.select_related("account__owner", "account__community").order_by("id")
    qs = (
        Journal.objects.filter(community=community)
        .select_related("created_by", "reverses", "reversed_by")
        .prefetch_related(Prefetch("entries", queryset=entries))
        .order_by(*JOURNAL_ORDER)
    )
    q = (q or "").strip()
    if q:
        person = Entry.objects.filter(
            Q(account__owner__full_name__icontains=q) | Q(account__owner__username__iexact=q)
        ).values("journal_id")
        qs = qs.filter(Q(memo__icontains=q) | Q(key__iexact=q) | Q(pk__in=person))
    return qs


def journal_lines(journal: Journal) -> list[dict]:
    return [
        {"label": account_label(e.account, reveal_names=True), "amount": _q(e.amount)} for e in journal.entries.all()
    ]


def is_correctable(journal: Journal) -> bool:
    from .services import CORRECTABLE_KINDS

    return journal.kind in CORRECTABLE_KINDS and getattr(journal, "reversed_by", None) is None


__all__ = [
    "JournalKind",
    "StatementRow",
    "account_label",
    "community_balances",
    "community_journals",
    "is_correctable",
    "journal_lines",
    "statement",
]
