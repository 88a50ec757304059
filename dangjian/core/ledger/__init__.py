"""The ledger engine: an append-only double-entry book that any app declares (time bank hours, funds, dues).

An app subclasses the three abstract models (its Account adds who or what owns it and the area it is
scoped by; its Entry adds `journal` and `account` foreign keys with related_name "entries"), names them
in a `Ledger` with the quantum of its amounts, and writes only through `post` / `reverse`:

- every journal's entries sum to zero, and each amount is a non-zero multiple of the quantum;
- `post` locks the accounts it touches in primary-key order (select_for_update, no deadlocks), then
  replays the journal already written under the same key (a retry writes nothing), then refuses a
  journal that would take an account below its `floor` (NULL: no floor), then writes the journal and
  its entries and moves each account's stored `balance` with an F() expression;
- nothing is edited or deleted (the querysets and models refuse it; an app may add a database trigger):
  a mistake is undone by `reverse`, the mirror journal, and a journal is reversed at most once;
- `checks.register_checks` gives the app's integrity checks: every journal sums to zero and has
  entries, each stored balance equals the sum of its entries, no account's entries sum below its floor.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.scoping import ScopedQuerySet, acting_user

ZERO = Decimal(0)
KEY_LENGTH = 200
PLACES = {0: gettext_lazy("整数"), 1: gettext_lazy("一位"), 2: gettext_lazy("两位")}


def amount_field(verbose_name: Any, *, digits: int = 14, places: int = 2, **kwargs: Any) -> models.DecimalField:
    """The one shape of a ledger amount (yuan by default: 14 digits, 2 places)."""
    return models.DecimalField(verbose_name, max_digits=digits, decimal_places=places, **kwargs)


# --- the append-only guard -----------------------------------------------------------------------


class AppendOnlyQuerySet(ScopedQuerySet):
    """Bulk update and delete are refused: the ledger only grows."""

    def update(self, **kwargs):
        raise ValidationError(_("账目只能追加，不能修改。"))

    def delete(self):
        raise ValidationError(_("账目只能追加，不能删除。"))


AppendOnlyManager = models.Manager.from_queryset(AppendOnlyQuerySet)


class AppendOnlyModel(models.Model):
    """Rows are written once: saving an existing row or deleting one is refused."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("账目只能追加，不能修改。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("账目只能追加，不能删除。"))


# --- the abstract models -------------------------------------------------------------------------


class LedgerAccount(models.Model):
    """An account. `balance` is kept in the row (moved only by `post`); `floor` NULL means no lower bound.

    A subclass adds its owner (a user, an area, a project…) and `scope_q`; it may redeclare `kind` with
    choices and `balance`/`floor` with its own digits (amount_field)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(gettext_lazy("类型"), max_length=16)
    balance = amount_field(gettext_lazy("余额"), default=ZERO)
    floor = amount_field(gettext_lazy("余额下限"), null=True, blank=True, default=ZERO)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class LedgerJournal(AppendOnlyModel):
    """One movement. Its entries sum to zero; `key` makes a retried call write nothing."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    key = models.CharField(gettext_lazy("幂等键"), max_length=KEY_LENGTH, unique=True)
    kind = models.CharField(gettext_lazy("类型"), max_length=16)
    memo = models.CharField(gettext_lazy("摘要"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="%(app_label)s_%(class)ss",
        verbose_name=gettext_lazy("经办人"),
    )
    created_at = models.DateTimeField(gettext_lazy("时间"), auto_now_add=True)
    # A correction reverses one journal, and a journal is reversed at most once.
    reverses = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
        verbose_name=gettext_lazy("冲正的记录"),
    )

    objects = AppendOnlyManager()

    class Meta:
        abstract = True


class LedgerEntry(AppendOnlyModel):
    """One side of a journal: a signed amount on one account. A subclass adds `journal` and `account`."""

    amount = amount_field(gettext_lazy("金额"))

    objects = AppendOnlyManager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        adding = self._state.adding
        super().save(*args, **kwargs)
        if adding:
            # An entry written on its own (not through `post`, which moves balances itself) still keeps
            # its account's stored balance equal to the sum of its entries.
            entry: Any = self  # the concrete model declares `account`
            account_model = type(entry)._meta.get_field("account").related_model
            account_model._base_manager.filter(pk=entry.account_id).update(balance=F("balance") + entry.amount)


@dataclass(frozen=True)
class Ledger:
    """One app's ledger: its models, the quantum of its amounts and the words its messages use."""

    name: str  # the integrity checks' prefix, e.g. "timebank"
    account: type[LedgerAccount]
    journal: type[LedgerJournal]
    entry: type[LedgerEntry]
    quantum: Decimal  # Decimal("0.01") for yuan, Decimal("0.1") for the time bank's hours
    label: Any  # 时间银行
    unit: Any  # 小时 / 元
    amount_label: Any = gettext_lazy("金额")  # 时数 / 金额
    max_amount: Decimal | None = None  # the most one journal line may move: a typo guard


def _journals(ledger: Ledger) -> Any:
    # The concrete journal model declares its own columns (and `reverses` points at itself), which the
    # type checker's Django plugin cannot follow through the abstract model.
    return ledger.journal.objects


# --- amounts and keys ----------------------------------------------------------------------------


def clean_amount(ledger: Ledger, value: Any) -> Decimal:
    """A positive amount with no more places than the ledger's quantum, or a Chinese refusal."""
    what = ledger.amount_label
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise ValidationError(_("%(what)s格式不正确。") % {"what": what}) from exc
    if not amount.is_finite() or amount <= 0:
        raise ValidationError(_("%(what)s必须大于零。") % {"what": what})
    if amount != amount.quantize(ledger.quantum):
        places = -int(ledger.quantum.as_tuple().exponent)
        raise ValidationError(
            _("%(what)s最多保留%(places)s小数。") % {"what": what, "places": PLACES.get(places, f"{places} 位")}
        )
    if ledger.max_amount is not None and amount > ledger.max_amount:
        raise ValidationError(
            _("单笔%(what)s不能超过 %(max)s %(unit)s。") % {"what": what, "max": ledger.max_amount, "unit": ledger.unit}
        )
    return amount.quantize(ledger.quantum)


def clean_key(key: str) -> str:
    key = (key or "").strip()
    if not key:
        raise ValidationError(_("缺少记账幂等键。"))
    if len(key) > KEY_LENGTH:
        raise ValidationError(_("记账幂等键过长。"))
    return key


def existing(ledger: Ledger, key: str, kind: str) -> LedgerJournal | None:
    """The journal already written under `key`, refused when it is of another kind."""
    journal = _journals(ledger).filter(key=key).first()
    if journal is not None and journal.kind != kind:
        raise ValidationError(_("该记账幂等键已用于另一类记账。"))
    return journal


def _check_lines(ledger: Ledger, lines: Sequence[tuple[LedgerAccount, Decimal]]) -> dict[int, Decimal]:
    """Net movement per account id; refuses what no caller should ever send (a programming error)."""
    if len(lines) < 2:
        raise ValidationError(_("一笔记账至少要有两条分录。"))
    net: dict[int, Decimal] = {}
    for account, amount in lines:
        if account.pk is None or not isinstance(amount, Decimal) or amount == 0:
            raise ValidationError(_("记账分录不正确。"))
        if amount != amount.quantize(ledger.quantum):
            raise ValidationError(_("记账金额的精度超过了账本的最小单位。"))
        net[account.pk] = net.get(account.pk, ZERO) + amount
    if sum(net.values(), ZERO) != 0:
        raise ValidationError(_("记账借贷不平。"))
    return net


def lock(ledger: Ledger, account_ids: Iterable[int]) -> dict[int, LedgerAccount]:
    """Lock the accounts' rows in primary-key order (every writer takes them in the same order)."""
    ids = sorted(set(account_ids))
    return {a.pk: a for a in ledger.account._base_manager.select_for_update().filter(pk__in=ids).order_by("pk")}


def _default_short(ledger: Ledger) -> Callable[[LedgerAccount], str]:
    return lambda account: _("%(account)s余额不足。") % {"account": account}


@transaction.atomic
def post(
    ledger: Ledger,
    *,
    kind: str,
    key: str,
    lines: Sequence[tuple[LedgerAccount, Decimal]],
    memo: str = "",
    actor: Any = None,
    reverses: LedgerJournal | None = None,
    short: Callable[[Any], str] | None = None,
    on_create: Callable[[Any, Sequence[tuple[Any, Decimal]]], None] | None = None,
    **fields: Any,
) -> LedgerJournal:
    """Write one balanced journal (or return the one already written under `key`).

    `short(account)` words the refusal when an account would fall below its floor; `on_create(journal,
    lines)` runs only when the journal is new (the app's audit row); `fields` are the app's own journal
    columns."""
    key = clean_key(key)
    net = _check_lines(ledger, lines)
    locked = lock(ledger, net)
    # After the locks: a concurrent call with the same key has committed, and its journal is seen here.
    found = existing(ledger, key, kind)
    if found is not None:
        return found
    for pk, delta in net.items():
        account = locked[pk]
        if delta < 0 and account.floor is not None and account.balance + delta < account.floor:
            raise ValidationError((short or _default_short(ledger))(account))
    try:
        with transaction.atomic():
            values: dict[str, Any] = {"memo": (memo or "")[:200], "reverses": reverses, **fields}
            journal = _journals(ledger).create(key=key, kind=kind, created_by=acting_user(actor), **values)
    except IntegrityError:
        found = existing(ledger, key, kind)
        if found is not None:
            return found
        if reverses is not None and _journals(ledger).filter(reverses=reverses).exists():
            raise ValidationError(_("该记录已冲正过。")) from None
        raise
    entry_model: Any = ledger.entry  # the concrete model declares `journal` and `account`
    entry_model.objects.bulk_create([entry_model(journal=journal, account=a, amount=amt) for a, amt in lines])
    for pk, delta in net.items():
        if delta:
            ledger.account._base_manager.filter(pk=pk).update(balance=F("balance") + delta)
    if on_create is not None:
        on_create(journal, lines)
    return journal


@transaction.atomic
def reverse(
    ledger: Ledger,
    journal: LedgerJournal,
    *,
    kind: str,
    key: str,
    memo: str,
    actor: Any = None,
    short: Callable[[Any], str] | None = None,
    on_create: Callable[[Any, Sequence[tuple[Any, Decimal]]], None] | None = None,
    **fields: Any,
) -> LedgerJournal:
    """Undo `journal` by posting its mirror image; the original is never touched. At most once."""
    entries: Any = ledger.entry.objects  # the concrete entry model declares `journal` and `account`
    lines = [(e.account, -e.amount) for e in entries.filter(journal=journal).select_related("account")]
    lock(ledger, [a.pk for a, _amount in lines])
    found = existing(ledger, clean_key(key), kind)
    if found is not None:
        return found
    if _journals(ledger).filter(reverses=journal).exists():
        raise ValidationError(_("该记录已冲正过。"))
    return post(
        ledger,
        kind=kind,
        key=key,
        lines=lines,
        memo=memo,
        actor=actor,
        reverses=journal,
        short=short,
        on_create=on_create,
        **fields,
    )


def balance(ledger: Ledger, account: LedgerAccount | int) -> Decimal:
    """The account's stored balance, read now (0 for an account id that does not exist)."""
    pk = account if isinstance(account, int) else account.pk
    value = ledger.account._base_manager.filter(pk=pk).values_list("balance", flat=True).first()
    return Decimal(value or 0).quantize(ledger.quantum)
