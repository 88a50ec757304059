"""The time bank: an append-only double-entry ledger of service hours.

Every movement is a Journal whose Entries sum to zero. Nothing is ever edited or deleted: a mistake is
undone by a correcting journal that reverses it. Balances are derived (SUM of an account's entries):
there is no stored balance to drift, and the index (account, id, amount) answers one account's sum,
and its statement page, from the index alone.

Accounts: a person's own account (never negative), and per community a pool (donated hours the
community grants on; never negative), an issuance account (where verified service hours are minted
from; it goes negative by exactly the hours ever issued, which is the rule that allows it) and an
escrow account (hours held for demands until released to the doer or refunded).
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import NOTHING, Scope, ScopedManager, ScopedQuerySet, prefix_q
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


class AppendOnlyQuerySet(ScopedQuerySet):
    """Bulk update and delete are refused: the ledger only grows."""

    def update(self, **kwargs):
        raise ValidationError(gettext("时间银行账目只能追加，不能修改。"))

    def delete(self):
        raise ValidationError(gettext("时间银行账目只能追加，不能删除。"))


AppendOnlyManager = models.Manager.from_queryset(AppendOnlyQuerySet)


class AppendOnlyModel(models.Model):
    """Rows are written once: saving an existing row or deleting one is refused."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(gettext("时间银行账目只能追加，不能修改。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(gettext("时间银行账目只能追加，不能删除。"))


class Account(models.Model):
    """One ledger account: a person's, or one of a community's three."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
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
    created_at = models.DateTimeField(auto_now_add=True)

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


class Journal(AppendOnlyModel):
    """One movement of hours. Its entries sum to zero; `key` makes a retried call write nothing."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    key = models.CharField(_("幂等键"), max_length=200, unique=True)
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
    memo = models.CharField(_("摘要"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="timebank_journals",
        verbose_name=_("经办人"),
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    # A correction reverses one journal, and a journal is reversed at most once.
    reverses = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
        verbose_name=_("冲正的记录"),
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

    objects = AppendOnlyManager()

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


class Entry(AppendOnlyModel):
    """One side of a journal: a signed amount of hours on one account."""

    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="entries", verbose_name=_("记账"))
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries", verbose_name=_("账户"))
    amount = models.DecimalField(_("时数"), max_digits=HOURS_DIGITS, decimal_places=HOURS_PLACES)

    objects = AppendOnlyManager()

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
