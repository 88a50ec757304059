"""党费: the bracket table as data per district, a member's pay base, the monthly dues, payments and the
remittance upward on a double-entry ledger (core.ledger).

- `DuesRules` + `Bracket`: a district's table from an effective month; without one, the 2008 defaults
  (rules.py, 中组发〔2008〕3号) apply. Upper bounds are inclusive ("3000元以下（含3000元）").
- `PayBase`: a member's category and after-tax monthly pay from an effective month (masked in lists).
- `DuesMonth`: one member's dues for one month, charged by the monthly run: the amount computed then
  (`amount_due`), later adjustments (`adjustment`: lines in `DuesAdjustment`), what was paid toward it
  (`paid`) and voluntary extra (`extra`). A month with a payment is never recomputed; a pay change
  reaching back posts an adjustment line in the first month without a payment instead.
- `Payment`: one payment toward one month (by the branch or by the member on the phone), with a
  channel and an external reference so that an online payment can be recorded the same way later.
- The ledger: per organization a receipts account (no floor: minus everything members paid into it)
  and a held account (floor zero); a payment moves receipts → held of the branch, a `Remittance`
  moves held → held of the parent organization, up to the district committee.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.ledger import Ledger, LedgerAccount, LedgerEntry, LedgerJournal, amount_field
from dangjian.core.scoping import NOTHING, Scope, ScopedManager, prefix_q
from dangjian.core.tree import STEP, PathCopyField
from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Member
from dangjian.territory.models import Area

ZERO = Decimal("0.00")


class PayCategory(models.TextChoices):
    SALARIED = "salaried", _("在职（按月工资收入）")
    RETIRED = "retired", _("离退休")
    FARMER = "farmer", _("农民")
    STUDENT = "student", _("学生")
    UNEMPLOYED = "unemployed", _("下岗失业")
    SUBSISTENCE = "subsistence", _("依靠抚恤、救济或领取低保")


# Categories whose dues are a percentage of the pay base; the others pay a fixed amount.
RATED = {PayCategory.SALARIED, PayCategory.RETIRED}


def _member_scope(scope: Scope, member_field: str, org_field: str, area_field: str) -> Q:
    if scope.org_path:
        return prefix_q(f"{org_field}__path", scope.org_path)
    if scope.area_path:
        return prefix_q(area_field, scope.area_path)
    if scope.user_id:
        return Q(**{f"{member_field}__user_id": scope.user_id})
    return NOTHING


class DuesRules(models.Model):
    """A district's bracket table from `effective_from` (the first day of a month) on."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="dues_rules",
        verbose_name=_("区"),
        limit_choices_to={"level": "district"},
    )
    effective_from = models.DateField(_("起用月份"), help_text=_("该月1日起按本表计算"))
    note = models.CharField(_("依据"), max_length=200, blank=True, default="中组发〔2008〕3号")
    max_backpay_months = models.PositiveSmallIntegerField(_("补交党费最长月数"), default=6)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("党费交纳标准")
        verbose_name_plural = _("党费交纳标准")
        ordering = ["district_id", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["district", "effective_from"], name="dues_rules_district_month"),
            models.CheckConstraint(condition=Q(effective_from__day=1), name="dues_rules_first_of_month"),
        ]

    def __str__(self) -> str:
        return f"{self.district} · {self.effective_from:%Y-%m}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.area_path:
            return Q(district__path=scope.area_path[:STEP])
        return NOTHING


class Bracket(models.Model):
    """One row of a table: for a category, pay up to `up_to` (inclusive; empty: no upper bound) pays
    `rate` percent, or a fixed amount (`fixed`, up to `fixed_max` where the member chooses, as farmers do)."""

    rules = models.ForeignKey(DuesRules, on_delete=models.CASCADE, related_name="brackets", verbose_name=_("标准"))
    category = models.CharField(_("党员类别"), max_length=16, choices=PayCategory.choices)
    up_to = amount_field(_("月收入上限（含）"), null=True, blank=True)
    rate = models.DecimalField(_("比例（%）"), max_digits=5, decimal_places=2, null=True, blank=True)
    fixed = amount_field(_("固定金额"), null=True, blank=True)
    fixed_max = amount_field(_("固定金额上限"), null=True, blank=True)

    class Meta:
        verbose_name = _("党费档次")
        verbose_name_plural = _("党费档次")
        ordering = ["rules_id", "category", "up_to"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rate__isnull=False, fixed__isnull=True) | Q(rate__isnull=True, fixed__isnull=False),
                name="dues_bracket_rate_or_fixed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} ≤ {self.up_to}"


class PayBase(models.Model):
    """A member's category and after-tax monthly pay (计算基数) from `effective_month` on."""

    class Source(models.TextChoices):
        MEMBER = "member", _("本人填报")
        BRANCH = "branch", _("支部录入")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="pay_bases", verbose_name=_("党员"))
    category = models.CharField(_("交纳类别"), max_length=16, choices=PayCategory.choices)
    monthly_pay = amount_field(_("税后月收入（元）"), null=True, blank=True)
    chosen_amount = amount_field(_("自定月交纳额（元）"), null=True, blank=True)
    effective_month = models.DateField(_("起算月份"))
    source = models.CharField(_("填报方式"), max_length=8, choices=Source.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("填报人"),
    )
    entered_at = models.DateTimeField(_("填报时间"), auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("党费计算基数")
        verbose_name_plural = _("党费计算基数")
        ordering = ["member_id", "-effective_month"]
        constraints = [
            models.UniqueConstraint(fields=["member", "effective_month"], name="dues_paybase_member_month"),
            models.CheckConstraint(condition=Q(effective_month__day=1), name="dues_paybase_first_of_month"),
            models.CheckConstraint(
                condition=~Q(category__in=sorted(RATED)) | Q(monthly_pay__isnull=False), name="dues_paybase_pay_rated"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.effective_month:%Y-%m}"

    @property
    def masked_pay(self) -> str:
        return "****" if self.monthly_pay is not None else "—"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        return _member_scope(scope, "member", "member__org", "member__org__area__path")


class DuesMonth(models.Model):
    """One member's dues for one month, charged to the branch holding them that month."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="dues_months", verbose_name=_("党员"))
    member_name = models.CharField(_("姓名"), max_length=50)
    org = models.ForeignKey(PartyOrg, on_delete=models.PROTECT, related_name="dues_months", verbose_name=_("党支部"))
    area_path = PathCopyField(editable=False)  # the branch's territory node (facts, scope)
    month = models.DateField(_("月份"))
    month_start = models.DateTimeField(editable=False)  # the month's first local midnight: the facts' cohort
    base = models.ForeignKey(PayBase, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    category = models.CharField(_("交纳类别"), max_length=16, choices=PayCategory.choices)
    amount_due = amount_field(_("应交（元）"))
    adjustment = amount_field(_("调整（元）"), default=ZERO)
    paid = amount_field(_("已交（元）"), default=ZERO)
    extra = amount_field(_("自愿多交（元）"), default=ZERO)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("月度党费")
        verbose_name_plural = _("月度党费")
        ordering = ["org_id", "-month", "member_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["member", "month"], name="dues_month_member_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="dues_month_first_of_month"),
            models.CheckConstraint(
                condition=Q(amount_due__gte=0, paid__gte=0, extra__gte=0), name="dues_month_amounts"
            ),
        ]
        indexes = [
            # A branch's monthly sheet in name order (keyset), and its months.
            models.Index(fields=["org", "month", "member_name", "id"], name="dues_month_sheet"),
            # A member's own months, newest first.
            models.Index(fields=["member", "month"], name="dues_month_member"),
            models.Index(fields=["month_start", "id"], name="dues_month_cohort"),
        ]

    def __str__(self) -> str:
        return f"{self.member_name} · {self.month:%Y-%m}"

    @property
    def owed(self) -> Decimal:
        return self.amount_due + self.adjustment

    @property
    def outstanding(self) -> Decimal:
        return max(ZERO, self.owed - self.paid)

    @property
    def settled(self) -> bool:
        return self.paid >= self.owed

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.org_path:
            return prefix_q("org__path", scope.org_path)
        if scope.area_path:
            return prefix_q("area_path", scope.area_path)
        if scope.user_id:
            return Q(member__user_id=scope.user_id)
        return NOTHING


class DuesAdjustment(models.Model):
    """A pay change reaching back into months already paid: the difference for `for_month`, carried in
    `into` (a later month's dues). The paid month itself is not rewritten."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="dues_adjustments")
    for_month = models.DateField(_("所属月份"))
    into = models.ForeignKey(
        DuesMonth, on_delete=models.PROTECT, related_name="adjustments", verbose_name=_("计入月份")
    )
    amount = amount_field(_("调整金额（元）"))
    base = models.ForeignKey(PayBase, on_delete=models.PROTECT, related_name="adjustments")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("党费调整")
        verbose_name_plural = _("党费调整")
        ordering = ["into_id", "for_month"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="dues_adjustment_nonzero"),
        ]

    def __str__(self) -> str:
        return f"{self.for_month:%Y-%m} {self.amount:+}"


class Channel(models.TextChoices):
    CASH = "cash", _("现金")
    TRANSFER = "transfer", _("转账")
    WECHAT = "wechat", _("微信")
    ALIPAY = "alipay", _("支付宝")
    ONLINE = "online", _("在线支付")


class Payment(models.Model):
    """A payment toward one month's dues (and any voluntary extra), recorded by the branch or by the
    member. `channel` + `external_ref` let an online payment's confirmation be recorded the same way."""

    class RecordedAs(models.TextChoices):
        MEMBER = "member", _("本人交纳")
        BRANCH = "branch", _("支部代收")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dues = models.ForeignKey(DuesMonth, on_delete=models.PROTECT, related_name="payments", verbose_name=_("月度党费"))
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="dues_payments")
    org = models.ForeignKey(PartyOrg, on_delete=models.PROTECT, related_name="dues_payments")
    area_path = PathCopyField(editable=False)
    amount = amount_field(_("交纳（元）"))
    extra = amount_field(_("自愿多交（元）"), default=ZERO)
    channel = models.CharField(_("交纳方式"), max_length=12, choices=Channel.choices)
    external_ref = models.CharField(_("交易单号"), max_length=64, blank=True)
    recorded_as = models.CharField(_("记录方式"), max_length=8, choices=RecordedAs.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("经办人"),
    )
    paid_at = models.DateTimeField(_("交纳时间"), auto_now_add=True)
    # One journal per payment, or one for a branch's collection of a month (services.collect).
    journal = models.ForeignKey("Journal", on_delete=models.PROTECT, related_name="payments")

    objects = ScopedManager()

    class Meta:
        verbose_name = _("党费交纳")
        verbose_name_plural = _("党费交纳")
        ordering = ["-paid_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0, extra__gte=0), name="dues_payment_nonneg"),
            models.CheckConstraint(condition=Q(amount__gt=0) | Q(extra__gt=0), name="dues_payment_something"),
        ]
        indexes = [models.Index(fields=["org", "paid_at"], name="dues_payment_org")]

    def __str__(self) -> str:
        return f"{self.member} {self.amount}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.org_path:
            return prefix_q("org__path", scope.org_path)
        if scope.area_path:
            return prefix_q("area_path", scope.area_path)
        if scope.user_id:
            return Q(member__user_id=scope.user_id)
        return NOTHING


# --- the ledger ----------------------------------------------------------------------------------


class AccountKind(models.TextChoices):
    RECEIPTS = "receipts", _("党费收入")
    HELD = "held", _("党费留存")


class JournalKind(models.TextChoices):
    PAYMENT = "payment", _("党员交纳")
    REMIT = "remit", _("上缴")
    CORRECTION = "correction", _("冲正")


class Account(LedgerAccount):
    """An organization's receipts account (no floor) or held account (never below zero)."""

    kind = models.CharField(_("类型"), max_length=16, choices=AccountKind.choices)
    org = models.ForeignKey(PartyOrg, on_delete=models.PROTECT, related_name="dues_accounts", verbose_name=_("党组织"))
    area_path = PathCopyField(editable=False)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("党费账户")
        verbose_name_plural = _("党费账户")
        constraints = [models.UniqueConstraint(fields=["org", "kind"], name="dues_account_org_kind")]

    def save(self, *args, **kwargs):
        if self._state.adding and self.kind == AccountKind.RECEIPTS:
            self.floor = None
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.org} · {self.get_kind_display()}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.org_path:
            return prefix_q("org__path", scope.org_path)
        if scope.area_path:
            return prefix_q("area_path", scope.area_path)
        return NOTHING


class Journal(LedgerJournal):
    kind = models.CharField(_("类型"), max_length=16, choices=JournalKind.choices)
    org = models.ForeignKey(PartyOrg, on_delete=models.PROTECT, related_name="dues_journals", verbose_name=_("党组织"))
    area_path = PathCopyField(editable=False)

    class Meta:
        verbose_name = _("党费记账")
        verbose_name_plural = _("党费记账")
        ordering = ["-id"]
        indexes = [models.Index(fields=["org", "id"], name="dues_journal_org_id")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.memo}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.org_path:
            return prefix_q("org__path", scope.org_path)
        if scope.area_path:
            return prefix_q("area_path", scope.area_path)
        return NOTHING


class Entry(LedgerEntry):
    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="entries", verbose_name=_("记账"))
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries", verbose_name=_("账户"))

    class Meta:
        verbose_name = _("党费分录")
        verbose_name_plural = _("党费分录")
        ordering = ["-id"]
        indexes = [models.Index(fields=["account", "id", "amount"], name="dues_entry_account_id")]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="dues_entry_nonzero")]

    def __str__(self) -> str:
        return f"{self.account} {self.amount:+}"


class Remittance(models.Model):
    """党费上缴: what an organization passes up to its parent, as one ledger journal."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    from_org = models.ForeignKey(
        PartyOrg, on_delete=models.PROTECT, related_name="dues_remitted", verbose_name=_("上缴单位")
    )
    to_org = models.ForeignKey(
        PartyOrg, on_delete=models.PROTECT, related_name="dues_received", verbose_name=_("接收单位")
    )
    area_path = PathCopyField(editable=False)
    amount = amount_field(_("金额（元）"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    journal = models.OneToOneField(Journal, on_delete=models.PROTECT, related_name="remittance")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("经办人"),
    )
    created_at = models.DateTimeField(_("上缴时间"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("党费上缴")
        verbose_name_plural = _("党费上缴")
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="dues_remittance_positive")]
        indexes = [models.Index(fields=["from_org", "created_at"], name="dues_remit_from")]

    def __str__(self) -> str:
        return f"{self.from_org} → {self.to_org} {self.amount}"

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.org_path:
            return prefix_q("from_org__path", scope.org_path) | prefix_q("to_org__path", scope.org_path)
        if scope.area_path:
            return prefix_q("area_path", scope.area_path)
        return NOTHING


LEDGER = Ledger(
    name="dues",
    account=Account,
    journal=Journal,
    entry=Entry,
    quantum=Decimal("0.01"),
    label=_("党费"),
    unit=_("元"),
    max_amount=Decimal("1000000"),
)
