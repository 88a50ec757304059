"""经费管理: fund kinds and their yearly floors as data per district, and the funds ledger on core.ledger.

Accounts (`Account.kind`):
- source: per (district, fund kind, year), where allocations come from; no floor (it goes negative by
  exactly what was ever allocated of that kind and year);
- fund: per (community or subdistrict, fund kind, year), what the area holds; never below zero;
- commitment: one per holder (e.g. "microprojects.project:<uuid>"), what is committed to it and not yet
  paid or released; never below zero;
- spent: per (community or subdistrict, fund kind, year), what was paid out; only payments move into
  it and only refunds out of it (never below zero).

Journals (`Journal.kind`): allocation (source → fund, after approval), commitment (fund → commitment),
payment (commitment → spent, with payee, approver and voucher), refund (spent → commitment, within
its payment), release (commitment → fund: the unspent rest), correction (core.ledger.reverse).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.ledger import Ledger, LedgerAccount, LedgerEntry, LedgerJournal, amount_field
from dangjian.core.models import TransitionLog
from dangjian.core.scoping import NOTHING, Scope, ScopedManager, prefix_q
from dangjian.core.tree import STEP
from dangjian.territory.models import Area

ZERO = Decimal(0)


class Rule(models.TextChoices):
    NONE = "none", _("无保底要求")
    FIXED = "fixed", _("每个社区每年定额")
    HOUSEHOLD = "household", _("按户数（街道）")
    MEMBER = "member", _("按党员人数")


class Level(models.TextChoices):
    COMMUNITY = "community", _("社区")
    SUBDISTRICT = "subdistrict", _("街道")


class FundKind(models.Model):
    """One kind of fund of a district, with its yearly floor rule (defaults in rules.py)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey(
        Area,
        on_delete=models.CASCADE,
        related_name="fund_kinds",
        verbose_name=_("区"),
        limit_choices_to={"level": "district"},
    )
    code = models.SlugField(_("代码"), max_length=16)
    name = models.CharField(_("名称"), max_length=40)
    level = models.CharField(_("拨付到"), max_length=16, choices=Level.choices, default=Level.COMMUNITY)
    rule = models.CharField(_("保底规则"), max_length=16, choices=Rule.choices, default=Rule.NONE)
    fixed_amount = amount_field(_("每年定额（元）"), default=ZERO)
    per_unit_min = amount_field(_("每户/每人下限（元）"), default=ZERO)
    per_unit_max = amount_field(_("每户/每人上限（元）"), default=ZERO)
    total_min = amount_field(_("总额下限（元）"), default=ZERO)
    total_max = amount_field(_("总额上限（元）"), default=ZERO)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("依据"), max_length=200, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("经费类别")
        verbose_name_plural = _("经费类别")
        ordering = ["district", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["district", "code"], name="funds_kind_district_code")]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.area_path:
            # Everyone in a district reads its kinds.
            return Q(district__path=scope.area_path[:STEP]) | prefix_q("district__path", scope.area_path)
        return NOTHING


class FloorBasis(models.Model):
    """The households and members an area's floors were reckoned on for a year (refreshed by a service,
    so a page never counts the register)."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="fund_bases", verbose_name=_("区域"))
    year = models.PositiveSmallIntegerField(_("年度"))
    households = models.PositiveIntegerField(_("户数"), default=0)
    members = models.PositiveIntegerField(_("党员数"), default=0)
    updated_at = models.DateTimeField(_("核定时间"), auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("保底核定基数")
        verbose_name_plural = _("保底核定基数")
        constraints = [models.UniqueConstraint(fields=["area", "year"], name="funds_basis_area_year")]

    def __str__(self) -> str:
        return f"{self.area} · {self.year}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return prefix_q("area__path", scope.area_path) if scope.area_path else NOTHING


class AccountKind(models.TextChoices):
    SOURCE = "source", _("拨款来源")
    FUND = "fund", _("经费账户")
    COMMITMENT = "commitment", _("已承诺")
    SPENT = "spent", _("已支出")


class JournalKind(models.TextChoices):
    ALLOCATION = "allocation", _("拨付")
    COMMITMENT = "commitment", _("承诺")
    PAYMENT = "payment", _("支付")
    REFUND = "refund", _("退款")
    RELEASE = "release", _("释放")
    CORRECTION = "correction", _("冲正")


class Account(LedgerAccount):
    """A funds account: the area it belongs to (a district for a source), the fund kind code and year,
    and for a commitment its holder key."""

    kind = models.CharField(_("类型"), max_length=16, choices=AccountKind.choices)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="fund_accounts", verbose_name=_("区域"))
    fund = models.CharField(_("经费类别"), max_length=16)
    year = models.PositiveSmallIntegerField(_("年度"))
    holder = models.CharField(_("承诺对象"), max_length=120, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("经费账户")
        verbose_name_plural = _("经费账户")
        indexes = [models.Index(fields=["area", "year", "kind"], name="funds_account_area_year")]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "area", "fund", "year"], condition=Q(holder=""), name="funds_account_unique"
            ),
            models.UniqueConstraint(fields=["holder"], condition=~Q(holder=""), name="funds_account_holder_unique"),
            models.CheckConstraint(
                condition=Q(kind=AccountKind.COMMITMENT, holder__gt="")
                | (~Q(kind=AccountKind.COMMITMENT) & Q(holder="")),
                name="funds_account_holder_only_commitment",
            ),
        ]

    def save(self, *args, **kwargs):
        if self._state.adding and self.kind == AccountKind.SOURCE:
            self.floor = None
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        if self.holder:
            return f"{self.get_kind_display()} · {self.holder}"
        return f"{self.area} · {self.fund} · {self.year} · {self.get_kind_display()}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return prefix_q("area__path", scope.area_path) if scope.area_path else NOTHING


def voucher_path(instance: Journal, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"funds/vouchers/{instance.year}/{uuid.uuid4().hex}.{ext[:5]}"


class Journal(LedgerJournal):
    """One movement of funds. `area` is the community or subdistrict it belongs to (scoping)."""

    kind = models.CharField(_("类型"), max_length=16, choices=JournalKind.choices)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="fund_journals", verbose_name=_("区域"))
    # The area's path when written, for the store of facts: history, like the facts themselves, and the
    # rows are append-only (a subtree move does not rewrite it; scope reads the area).
    area_path = models.CharField(max_length=255, editable=False)
    fund = models.CharField(_("经费类别"), max_length=16)
    year = models.PositiveSmallIntegerField(_("年度"))
    amount = amount_field(_("金额"), default=ZERO)
    holder = models.CharField(_("承诺对象"), max_length=120, blank=True)
    payee = models.CharField(_("收款方"), max_length=100, blank=True)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="funds_approved_journals",
        verbose_name=_("审批人"),
    )
    voucher = models.FileField(_("凭证"), upload_to=voucher_path, blank=True)
    # A refund returns part of one payment; the refunds of a payment never sum above it.
    refunds = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="refunded_by",
        verbose_name=_("退款对应的支付"),
    )

    class Meta:
        verbose_name = _("经费记账")
        verbose_name_plural = _("经费记账")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["area", "id"], name="funds_journal_area_id"),
            models.Index(fields=["holder", "kind"], name="funds_journal_holder"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=JournalKind.REFUND, refunds__isnull=False)
                | (~Q(kind=JournalKind.REFUND) & Q(refunds__isnull=True)),
                name="funds_journal_refund_refunds",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.amount} · {self.memo}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return prefix_q("area__path", scope.area_path) if scope.area_path else NOTHING


class Entry(LedgerEntry):
    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="entries", verbose_name=_("记账"))
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries", verbose_name=_("账户"))

    class Meta:
        verbose_name = _("经费分录")
        verbose_name_plural = _("经费分录")
        ordering = ["-id"]
        indexes = [models.Index(fields=["account", "id", "amount"], name="funds_entry_account_id")]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="funds_entry_nonzero")]

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return prefix_q("journal__area__path", scope.area_path) if scope.area_path else NOTHING


LEDGER = Ledger(
    name="funds",
    account=Account,
    journal=Journal,
    entry=Entry,
    quantum=Decimal("0.01"),
    label=_("经费"),
    unit=_("元"),
    amount_label=_("金额"),
    max_amount=Decimal("100000000"),
)


# --- allocations: entered by one person, approved by another ---------------------------------------


class AllocationStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已退回")


class Allocation(models.Model):
    """An allocation entered for approval; approving it posts the allocation journal."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="fund_allocations", verbose_name=_("拨付对象")
    )
    district = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("区"))
    fund = models.CharField(_("经费类别"), max_length=16)
    year = models.PositiveSmallIntegerField(_("年度"))
    amount = amount_field(_("金额"))
    memo = models.CharField(_("摘要"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=AllocationStatus.choices, default=AllocationStatus.PENDING
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("录入人")
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("审批人"),
    )
    journal = models.OneToOneField(
        Journal, null=True, blank=True, on_delete=models.PROTECT, related_name="allocation", verbose_name=_("记账")
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("经费拨付")
        verbose_name_plural = _("经费拨付")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["district", "status", "id"], name="funds_alloc_district_status"),
            models.Index(fields=["area", "id"], name="funds_alloc_area_id"),
        ]

    def __str__(self) -> str:
        return f"{self.area} · {self.fund} · {self.year} · {self.amount}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return prefix_q("area__path", scope.area_path) if scope.area_path else NOTHING


class AllocationLog(TransitionLog):
    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="log")

    class Meta(TransitionLog.Meta):
        verbose_name = _("拨付审批记录")
        verbose_name_plural = _("拨付审批记录")
