"""Writing to the time bank. Every write is one journal whose entries sum to zero, posted by the core
ledger engine (core/ledger `post`), which this module words and audits.

All writes are idempotent on `key`: a second call with a key already used returns the first journal and
writes nothing. A person's account never goes negative: `post` locks every account of the journal in
one order, so two spends at once are serialized and the second sees the first, and refuses a journal
that takes an account below its floor. The issuance account is the one account without a floor: it is
where verified service hours are minted from, so its balance is minus the hours ever issued.
Nothing is edited or deleted; `correct` posts the reversing journal (core.ledger `reverse`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from dangjian.audit.services import Action, audit_record
from dangjian.core import ledger
from dangjian.territory.models import Area

from .models import LEDGER, Account, AccountKind, Entry, Journal, JournalKind
from .permissions import check_worker, covers_everything

ONE_PLACE = LEDGER.quantum
ZERO = Decimal("0.0")
# The most one journal may move: a guard against a mistyped figure, not a policy (models.LEDGER).
MAX_HOURS = LEDGER.max_amount
# Journals that may be reversed by a correction. Holds and their settlements follow the demand
# (refund on decline/withdraw); a correction is not reversed again (post a new movement instead).
CORRECTABLE_KINDS = {JournalKind.DEPOSIT, JournalKind.TRANSFER, JournalKind.POOL}


# --- helpers -------------------------------------------------------------------------------------


def clean_hours(hours: Any) -> Decimal:
    """Positive hours with at most one decimal place, or a Chinese refusal."""
    return ledger.clean_amount(LEDGER, hours)


def _clean_key(key: str) -> str:
    return ledger.clean_key(key)


def _community(community: Area) -> Area:
    if community is None or getattr(community, "level", None) != "community":
        raise ValidationError(_("请选择一个社区。"))
    return community


def person_account(user) -> Account:
    if user is None or not getattr(user, "pk", None):
        raise ValidationError(_("找不到该用户。"))
    account, _created = Account.objects.get_or_create(kind=AccountKind.PERSON, owner=user)
    return account


def community_account(community: Area, kind: str) -> Account:
    account, _created = Account.objects.get_or_create(kind=kind, community=_community(community))
    return account


def account_balance(account_id: int) -> Decimal:
    return ledger.balance(LEDGER, account_id)


def _existing(key: str, kind: str) -> Journal | None:
    return cast(Journal | None, ledger.existing(LEDGER, key, kind))


def _short_message(account: Account) -> str:
    if account.kind == AccountKind.POOL:
        return _("社区互助池时数不足。")
    return _("时间银行余额不足。")


def _audit(actor: Any, community: Area | None):
    """The audit row of a journal just written (the engine calls it only for a new journal)."""

    def record(journal: Journal, lines) -> None:
        audit_record(
            actor=actor,
            action=Action.CREATE,
            obj=journal,
            changes={
                "kind": [None, str(journal.get_kind_display())],
                "entries": [None, [f"{a} {amt:+}" for a, amt in lines]],
                "memo": [None, journal.memo],
            },
            area_path=community.path if community is not None else "",
        )

    return record


def _post(
    *,
    kind: str,
    key: str,
    lines: list[tuple[Account, Decimal]],
    community: Area | None,
    memo: str,
    actor: Any,
    settles: Journal | None = None,
) -> Journal:
    """Write one balanced journal through the engine, worded and audited for the time bank."""
    try:
        return cast(
            Journal,
            ledger.post(
                LEDGER,
                kind=kind,
                key=key,
                lines=lines,
                memo=memo,
                actor=actor,
                short=_short_message,
                on_create=_audit(actor, community),
                community=community,
                settles=settles,
            ),
        )
    except IntegrityError:
        if settles is not None:  # a concurrent settlement of the same hold won
            raise ValidationError(_("该托管已结清。")) from None
        raise


# --- the interface other apps call ---------------------------------------------------------------


@transaction.atomic
def service_deposit(*, user, hours, community: Area, key: str, memo: str, actor=None) -> Journal:
    """Verified service: mint hours from the community's issuance account into the person's account."""
    key, hours, community = _clean_key(key), clean_hours(hours), _community(community)
    existing = _existing(key, JournalKind.DEPOSIT)
    if existing is not None:
        return existing
    issuance = community_account(community, AccountKind.ISSUANCE)
    person = person_account(user)
    return _post(
        kind=JournalKind.DEPOSIT,
        key=key,
        lines=[(issuance, -hours), (person, hours)],
        community=community,
        memo=memo,
        actor=actor,
    )


@transaction.atomic
def escrow_hold(*, user, hours, community: Area, key: str, memo: str, actor=None) -> Journal:
    """The requester pays for a demand: person -> the community's escrow, refused when short."""
    key, hours, community = _clean_key(key), clean_hours(hours), _community(community)
    person = person_account(user)
    escrow = community_account(community, AccountKind.ESCROW)
    return _post(
        kind=JournalKind.HOLD,
        key=key,
        lines=[(person, -hours), (escrow, hours)],
        community=community,
        memo=memo,
        actor=actor,
    )


def _hold_for_settlement(hold_key: str) -> tuple[Journal, Entry]:
    hold = Journal.objects.select_for_update().filter(key=_clean_key(hold_key), kind=JournalKind.HOLD).first()
    if hold is None:
        raise ValidationError(_("找不到该托管记录。"))
    escrow_entry = hold.entries.select_related("account").get(account__kind=AccountKind.ESCROW)
    return hold, escrow_entry


def _settle(*, kind: str, hold_key: str, to_user, key: str, memo: str, actor) -> Journal:
    key = _clean_key(key)
    hold, escrow_entry = _hold_for_settlement(hold_key)  # locked: release and refund are serialized
    existing = _existing(key, kind)
    if existing is not None:
        return existing
    if Journal.objects.filter(settles=hold).exists():
        raise ValidationError(_("该托管已结清。"))
    if to_user is None:
        to_user = hold.entries.get(account__kind=AccountKind.PERSON).account.owner
    hours = escrow_entry.amount
    escrow = escrow_entry.account
    return _post(
        kind=kind,
        key=key,
        lines=[(escrow, -hours), (person_account(to_user), hours)],
        community=hold.community,
        memo=memo,
        actor=actor,
        settles=hold,
    )


@transaction.atomic
def escrow_release(*, hold_key: str, to_user, key: str, memo: str, actor=None) -> Journal:
    """The demand is settled: the held hours go from escrow to the doer."""
    if to_user is None:
        raise ValidationError(_("请指定接收时数的人。"))
    return _settle(kind=JournalKind.RELEASE, hold_key=hold_key, to_user=to_user, key=key, memo=memo, actor=actor)


@transaction.atomic
def escrow_refund(*, hold_key: str, key: str, memo: str, actor=None) -> Journal:
    """The demand was declined or withdrawn: the held hours go back to the requester."""
    return _settle(kind=JournalKind.REFUND, hold_key=hold_key, to_user=None, key=key, memo=memo, actor=actor)


@transaction.atomic
def transfer(*, from_user, to_user, hours, key: str, memo: str, actor=None) -> Journal:
    """A person gives hours to another person."""
    key, hours = _clean_key(key), clean_hours(hours)
    if from_user is None or to_user is None or from_user.pk == to_user.pk:
        raise ValidationError(_("不能转给自己。"))
    if not to_user.is_active:
        raise ValidationError(_("对方账号已停用。"))
    source = person_account(from_user)
    return _post(
        kind=JournalKind.TRANSFER,
        key=key,
        lines=[(source, -hours), (person_account(to_user), hours)],
        community=None,
        memo=memo,
        actor=actor,
    )


@transaction.atomic
def donate_to_pool(*, user, community: Area, hours, key: str, memo: str = "", actor=None) -> Journal:
    """A person gives hours to the community's mutual-aid pool."""
    key, hours, community = _clean_key(key), clean_hours(hours), _community(community)
    source = person_account(user)
    return _post(
        kind=JournalKind.POOL,
        key=key,
        lines=[(source, -hours), (community_account(community, AccountKind.POOL), hours)],
        community=community,
        memo=memo,
        actor=actor,
    )


@transaction.atomic
def pool_grant(*, community: Area, to_user, hours, key: str, memo: str, actor) -> Journal:
    """A community worker grants hours from the community's pool to a person."""
    key, hours, community = _clean_key(key), clean_hours(hours), _community(community)
    check_worker(actor, community)
    if to_user is None:
        raise ValidationError(_("找不到该用户。"))
    if not (memo or "").strip():
        raise ValidationError(_("请填写发放事由。"))
    pool = community_account(community, AccountKind.POOL)
    return _post(
        kind=JournalKind.POOL,
        key=key,
        lines=[(pool, -hours), (person_account(to_user), hours)],
        community=community,
        memo=memo,
        actor=actor,
    )


@transaction.atomic
def correct(*, journal: Journal, reason: str, actor, key: str | None = None) -> Journal:
    """Undo a journal by posting its mirror image. The original is never touched."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写冲正原因。"))
    if journal.kind not in CORRECTABLE_KINDS:
        raise ValidationError(_("该类记录不能冲正（托管类记录随点单退回，冲正记录不可再冲正）。"))
    if journal.community is None:
        if not covers_everything(actor):
            raise ValidationError(_("个人之间的转赠只能由系统管理员冲正。"))
    else:
        check_worker(actor, journal.community)
    corrected = ledger.reverse(
        LEDGER,
        journal,
        kind=JournalKind.CORRECTION,
        key=_clean_key(key or f"correct:{journal.public_id}"),
        memo=_("冲正：%(reason)s") % {"reason": reason},
        actor=actor,
        short=lambda account: _("冲正后%(account)s将为负数，不能冲正。") % {"account": account},
        on_create=_audit(actor, journal.community),
        community=journal.community,
    )
    return cast(Journal, corrected)


# --- reads used by the interface -----------------------------------------------------------------


def balance(user) -> Decimal:
    """A person's balance, as stored in their account's row (0 when they have none)."""
    total = Account.objects.filter(kind=AccountKind.PERSON, owner=user).aggregate(total=Sum("balance"))["total"]
    return Decimal(total or 0).quantize(LEDGER.quantum)


def statement(user, *, page: int | str = 1, per_page: int = 20, q: str = ""):
    """The person's entries, newest first, one page; see selectors.statement."""
    from .selectors import statement as _statement

    return _statement(user, page=page, per_page=per_page, q=q)
