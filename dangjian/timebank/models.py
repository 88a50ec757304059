"""The time bank: an append-only double-entry ledger of service hours, on the core ledger engine.

Every movement is a Journal whose Entries sum to zero (core/ledger `post`). Nothing is ever edited
or deleted: a mistake is undone by a correcting journal that reverses it. Each account keeps its
balance in its row, moved by `post` under the account's lock; the integrity check `timebank.balances`
compares it with the SUM of the account's entries (the index (account, id, amount) answers that sum,
and a statement page, from the index alone).

Accounts: a person's own account (never negative), and per community a pool (donated hours the
community grants on; never negative), an issuance account (where verified service hours are minted
from; it goes negative by exactly the hours ever issued, which is the rule that allows it) and an
escrow account (hours held for demands until released to the doer or refunded).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.ledger import Ledger, LedgerAccount, LedgerEntry, LedgerJournal, amount_field
from dangjian.core.scoping import NOTHING, Scope, ScopedManager, prefix_q
from dangjian.territory.models import Area

HOURS_DIGITS = 12
HOURS_PLACES = 1


class AccountKind(models.TextChoices):
    PERSON = "person", _("个人账户")
    POOL = "pool", _("社区互助池")
    ISSUANCE = "issuance", _("社区发行账户")
    ESCROW = "escrow", _("社区托管账户")


COMMUNITY_KINDS = [AccountKind.POOL, AccountKind.ISSUANCE, AccountKind.ESCROW]
# Accounts that may never go below zero; only the issuance account may.
NON_NEGATIVE_KINDS = {AccountKind.PERSON, AccountKind.POOL, AccountKind.ESCROW}


class JournalKind(models.TextChoices):
    DEPOSIT = "deposit", _("服务存入")
    TRANSFER = "transfer", _("转赠")
    HOLD = "hold", _("点单托管")
    RELEASE = "release", _("托管支付")
    REFUND = "refund", _("托管退回")
    CORRECTION = "correction", _("冲正")
    POOL = "pool", _("互助池")


class Account(LedgerAccount):
    """One ledger account: a person's, or one of a community's three. Only the issuance account has
    no floor (it goes negative by exactly the hours ever issued); every other may not go below zero."""

    kind = models.CharField(_("类型"), max_length=16, choices=AccountKind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="timebank_accounts",
        verbose_name=_("户主"),
    )
    community = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="timebank_accounts",
        verbose_name=_("社区"),
        limit_choices_to={"level": "community"},
    )
    balance = amount_field(_("余额"), digits=HOURS_DIGITS, places=HOURS_PLACES, default=Decimal(0))
    floor = amount_field(
        _("余额下限"), digits=HOURS_DIGITS, places=HOURS_PLACES, null=True, blank=True, default=Decimal(0)
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("时间银行账户")
        verbose_name_plural = _("时间银行账户")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=AccountKind.PERSON, owner__isnull=False, community__isnull=True)
                | (~Q(kind=AccountKind.PERSON) & Q(owner__isnull=True, community__isnull=False)),
                name="timebank_account_anchor",
            ),
            models.UniqueConstraint(
                fields=["kind", "owner"], condition=Q(owner__isnull=False), name="timebank_account_person_unique"
            ),
            models.UniqueConstraint(
                fields=["kind", "community"],
                condition=Q(community__isnull=False),
                name="timebank_account_community_unique",
            ),
        ]

    def save(self, *args, **kwargs):
        if self._state.adding and self.kind not in NON_NEGATIVE_KINDS:
            self.floor = None
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        if self.kind == AccountKind.PERSON:
            return f"{self.owner} · {self.get_kind_display()}"
        return f"{self.community} · {self.get_kind_display()}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.user_id:
            return Q(kind=AccountKind.PERSON, owner_id=scope.user_id)
        if scope.area_path:
            return prefix_q("community__path", scope.area_path)
        return NOTHING


class Journal(LedgerJournal):
    """One movement of hours. Its entries sum to zero; `key` makes a retried call write nothing."""

    kind = models.CharField(_("类型"), max_length=16, choices=JournalKind.choices)
    # The community the movement belongs to (none for a transfer between two people).
    community = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="timebank_journals",
        verbose_name=_("社区"),
    )
    # A release or refund settles one hold, and a hold is settled at most once.
    settles = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="settled_by",
        verbose_name=_("结清的托管"),
    )

    class Meta:
        verbose_name = _("时间银行记账")
        verbose_name_plural = _("时间银行记账")
        ordering = ["-id"]
        indexes = [models.Index(fields=["community", "id"], name="timebank_journal_comm_id")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=JournalKind.CORRECTION, reverses__isnull=False)
                | (~Q(kind=JournalKind.CORRECTION) & Q(reverses__isnull=True)),
                name="timebank_journal_correction_reverses",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=[JournalKind.RELEASE, JournalKind.REFUND], settles__isnull=False)
                | (~Q(kind__in=[JournalKind.RELEASE, JournalKind.REFUND]) & Q(settles__isnull=True)),
                name="timebank_journal_settlement_settles",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.memo}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.user_id:
            own = Entry.objects.filter(
                journal=OuterRef("pk"), account__kind=AccountKind.PERSON, account__owner_id=scope.user_id
            )
            return Q(Exists(own))
        if scope.area_path:
            return prefix_q("community__path", scope.area_path)
        return NOTHING


class Entry(LedgerEntry):
    """One side of a journal: a signed amount of hours on one account."""

    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="entries", verbose_name=_("记账"))
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries", verbose_name=_("账户"))
    amount = amount_field(_("时数"), digits=HOURS_DIGITS, places=HOURS_PLACES)

    class Meta:
        verbose_name = _("时间银行分录")
        verbose_name_plural = _("时间银行分录")
        ordering = ["-id"]
        indexes = [
            # One account's balance and statement page, answered from the index (amount included).
            models.Index(fields=["account", "id", "amount"], name="timebank_entry_account_id"),
        ]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="timebank_entry_nonzero")]

    def __str__(self) -> str:
        return f"{self.account} {self.amount:+}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.user_id:
            return Q(account__kind=AccountKind.PERSON, account__owner_id=scope.user_id)
        if scope.area_path:
            return prefix_q("journal__community__path", scope.area_path)
        return NOTHING


LEDGER = Ledger(
    name="timebank",
    account=Account,
    journal=Journal,
    entry=Entry,
    quantum=Decimal("0.1"),
    label=_("时间银行"),
    unit=_("小时"),
    amount_label=_("时数"),
    max_amount=Decimal("1000"),
)
