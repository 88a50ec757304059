"""Every write of dues: the pay base, the monthly run, payments, remittances and the audited reveal.

Money moves only through the ledger (core.ledger `post`): a payment is one journal from the branch's
receipts account into its held account, a remittance one journal from an organization's held account
into its parent's (the held account's floor of zero refuses remitting more than is held). A month's
dues row is locked (select_for_update) before it is paid, so two payments at once are serialized and
the second sees the first; a payment above what is outstanding is refused. The ledger key makes a
retried call write nothing twice; the phone's form also carries an idempotency key (@idempotent).
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.services import Action, audit_record
from dangjian.core import ledger
from dangjian.core.tree import STEP
from dangjian.orgs.models import PartyOrg
from dangjian.people.models import ACTIVE_STATUSES, Member
from dangjian.territory.models import Area

from . import facts as dues_facts
from . import rules
from .models import (
    LEDGER,
    RATED,
    ZERO,
    Account,
    AccountKind,
    Channel,
    DuesAdjustment,
    DuesMonth,
    Journal,
    JournalKind,
    PayBase,
    PayCategory,
    Payment,
    Remittance,
)
from .permissions import acts_for

RUN_CHUNK = 2000


# --- helpers -------------------------------------------------------------------------------------


def month_start(month: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(month, datetime.time.min))


def current_month() -> datetime.date:
    return rules.month_of(timezone.localdate())


def _district_ids(paths: set[str]) -> dict[str, int]:
    heads = {p[:STEP] for p in paths if p}
    return dict(Area.objects.filter(path__in=heads).values_list("path", "pk"))


def district_id_of(org: PartyOrg) -> int | None:
    return _district_ids({org.area.path}).get(org.area.path[:STEP])


def base_in_force(member: Member, month: datetime.date) -> PayBase | None:
    return PayBase.objects.filter(member=member, effective_month__lte=month).order_by("-effective_month").first()


def amount_for(base: PayBase, month: datetime.date, district_id: int | None, cache: dict | None = None) -> Decimal:
    table = rules.table_for(district_id, month, cache)
    return rules.monthly_amount(table, base.category, base.monthly_pay, base.chosen_amount)


def _check_branch(actor: Any, org: PartyOrg) -> None:
    if actor is None:  # the system: the monthly run, the demo, an import
        return
    if not acts_for(actor, org):
        raise ValidationError(_("只有本支部的支委或所在社区的工作人员可以办理。"))


def _check_member_or_branch(actor: Any, member: Member) -> str:
    """The member themselves ("member") or someone acting for their branch ("branch")."""
    if actor is not None and member.user_id is not None and getattr(actor, "pk", None) == member.user_id:
        return PayBase.Source.MEMBER
    if member.org is None:
        raise ValidationError(_("该党员没有所在党组织。"))
    _check_branch(actor, member.org)
    return PayBase.Source.BRANCH


def account_of(org: PartyOrg, kind: str) -> Account:
    account, _created = Account.objects.get_or_create(org=org, kind=kind, defaults={"area_path": org.area.path})
    return account


# --- the pay base ----------------------------------------------------------------------------------


def clean_base(
    *, category: str, monthly_pay: Decimal | None, chosen_amount: Decimal | None, district_id: int | None, month
) -> tuple[Decimal | None, Decimal | None]:
    if category not in PayCategory.values:
        raise ValidationError(_("请选择交纳类别。"))
    if category in RATED:
        if monthly_pay is None or monthly_pay < 0:
            raise ValidationError(_("请填写税后月收入。"))
        return monthly_pay.quantize(rules.FEN), None
    if chosen_amount is not None:
        table = rules.table_for(district_id, month)
        row = next((r for r in table.rows if r.category == category), None)
        if row is None or row.fixed_max is None:
            return None, None
        assert row.fixed is not None
        if not row.fixed <= chosen_amount <= row.fixed_max:
            raise ValidationError(_("月交纳额应在 %(a)s 元至 %(b)s 元之间。") % {"a": row.fixed, "b": row.fixed_max})
        return None, chosen_amount.quantize(rules.FEN)
    return None, None


@transaction.atomic
def paybase_set(
    *,
    actor: Any,
    member: Member,
    category: str,
    monthly_pay: Decimal | None = None,
    chosen_amount: Decimal | None = None,
    effective_month: datetime.date,
) -> PayBase:
    """Set a member's category and pay from `effective_month` on. Months charged since then are
    repriced: a month with nothing paid is recomputed; a month with a payment keeps its amount and the
    difference goes as an adjustment line into the first later month with nothing paid."""
    source = _check_member_or_branch(actor, member)
    month = rules.month_of(effective_month)
    if month > rules.add_months(current_month(), 1):
        raise ValidationError(_("起算月份最多为下个月。"))
    district_id = district_id_of(member.org) if member.org else None
    monthly_pay, chosen_amount = clean_base(
        category=category, monthly_pay=monthly_pay, chosen_amount=chosen_amount, district_id=district_id, month=month
    )
    base, _created = PayBase.objects.update_or_create(
        member=member,
        effective_month=month,
        defaults={
            "category": category,
            "monthly_pay": monthly_pay,
            "chosen_amount": chosen_amount,
            "source": source,
            "entered_by": actor if getattr(actor, "is_authenticated", False) else None,
        },
    )
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=base,
        # The pay itself is personal data: the audit row says that it changed, not what it is.
        changes={
            "category": [None, category],
            "effective_month": [None, f"{month:%Y-%m}"],
            "monthly_pay": ["***", "***"],
        },
        area_path=member.org.area.path if member.org else "",
    )
    _reprice(member, month, district_id)
    return base


def _reprice(member: Member, month: datetime.date, district_id: int | None) -> None:
    months = list(DuesMonth.objects.select_for_update().filter(member=member, month__gte=month).order_by("month"))
    if not months:
        return
    cache: dict = {}
    adjusted = {a["for_month"]: a["s"] for a in _adjustment_sums(member, month)}
    for dues in months:
        base = base_in_force(member, dues.month)
        if base is None:
            continue
        new = amount_for(base, dues.month, district_id, cache)
        if not dues.paid and not dues.extra:
            if new != dues.amount_due or base.pk != dues.base_id:
                DuesMonth.objects.filter(pk=dues.pk).update(amount_due=new, base=base, category=base.category)
                dues.refresh_from_db()
                dues_facts.record(dues)
            continue
        # Paid: the month stays as it was charged; the difference is carried into a later month.
        diff = new - (dues.amount_due + (adjusted.get(dues.month) or ZERO))
        if diff:
            into = _adjustment_month(member, dues.month)
            DuesAdjustment.objects.create(member=member, for_month=dues.month, into=into, amount=diff, base=base)
            DuesMonth.objects.filter(pk=into.pk).update(adjustment=F("adjustment") + diff)
            into.refresh_from_db()
            dues_facts.record(into)


def _adjustment_sums(member: Member, month: datetime.date):
    return (
        DuesAdjustment.objects.filter(member=member, for_month__gte=month)
        .values("for_month")
        .annotate(s=Sum("amount"))
        .order_by()
    )


def _adjustment_month(member: Member, after: datetime.date) -> DuesMonth:
    """The first month after `after` with nothing paid yet, charged now when there is none."""
    found = (
        DuesMonth.objects.select_for_update()
        .filter(member=member, month__gt=after, paid=0, extra=0)
        .order_by("month")
        .first()
    )
    if found is not None:
        return found
    latest = DuesMonth.objects.filter(member=member).order_by("-month").values_list("month", flat=True).first()
    dues = charge(member=member, month=rules.add_months(max(latest or after, after), 1))
    if dues is None:
        raise ValidationError(_("无法计入调整：该党员没有计算基数。"))
    return dues


# --- charging months -------------------------------------------------------------------------------


@transaction.atomic
def charge(*, member: Member, month: datetime.date, cache: dict | None = None) -> DuesMonth | None:
    """The member's dues for `month` (charged now if not yet): None without a pay base or a branch."""
    month = rules.month_of(month)
    found = DuesMonth.objects.filter(member=member, month=month).first()
    if found is not None:
        return found
    base = base_in_force(member, month)
    if base is None or member.org_id is None:
        return None
    org = member.org
    assert org is not None
    amount = amount_for(base, month, district_id_of(org), cache)
    return DuesMonth.objects.create(
        member=member,
        member_name=member.name,
        org=org,
        area_path=org.area.path,
        month=month,
        month_start=month_start(month),
        base=base,
        category=base.category,
        amount_due=amount,
    )


def dues_run(*, actor: Any = None, month: datetime.date, org: PartyOrg | None = None) -> dict[str, int]:
    """The monthly run: charge every active member on an organization's books for `month` (those of
    `org`'s subtree only when given), in chunks of RUN_CHUNK members, each chunk one transaction: one
    read of the members, one of their pay bases, one bulk insert, the facts of the rows written.
    Members without a pay base are counted, not charged (the branch enters them first)."""
    month = rules.month_of(month)
    if org is not None and actor is not None:
        _check_branch(actor, org)
    members = Member.objects.filter(status__in=ACTIVE_STATUSES, org__isnull=False)
    if org is not None:
        members = members.filter(org__path__startswith=org.path)
    charged = skipped = without_base = 0
    last = 0
    cache: dict = {}
    while True:
        chunk = list(members.filter(pk__gt=last).order_by("pk").values("pk", "name", "org_id")[:RUN_CHUNK])
        if not chunk:
            break
        last = chunk[-1]["pk"]
        with transaction.atomic():
            n, s, w = _charge_chunk(chunk, month, cache)
        charged, skipped, without_base = charged + n, skipped + s, without_base + w
    if actor is not None:
        audit_record(
            actor=actor,
            action=Action.CREATE,
            object_type="dues.run",
            object_repr=f"{month:%Y-%m}",
            changes={"charged": [None, charged], "without_base": [None, without_base]},
            area_path=org.area.path if org is not None else "",
        )
    return {"charged": charged, "already": skipped, "without_base": without_base}


def _charge_chunk(chunk: list[Any], month: datetime.date, cache: dict) -> tuple[int, int, int]:
    pks = [row["pk"] for row in chunk]
    done = set(DuesMonth.objects.filter(member_id__in=pks, month=month).values_list("member_id", flat=True))
    todo = [row for row in chunk if row["pk"] not in done]
    if not todo:
        return 0, len(done), 0
    bases: dict[int, PayBase] = {}
    for found in PayBase.objects.filter(member_id__in=[r["pk"] for r in todo], effective_month__lte=month).order_by(
        "member_id", "effective_month"
    ):
        bases[found.member_id] = found  # the latest in force wins
    orgs = {o.pk: o for o in PartyOrg.objects.filter(pk__in={r["org_id"] for r in todo}).select_related("area")}
    districts = _district_ids({o.area.path for o in orgs.values()})
    start = month_start(month)
    rows, without = [], 0
    for row in todo:
        base, org = bases.get(row["pk"]), orgs[row["org_id"]]
        if base is None:
            without += 1
            continue
        amount = amount_for(base, month, districts.get(org.area.path[:STEP]), cache)
        rows.append(
            DuesMonth(
                member_id=row["pk"],
                member_name=row["name"],
                org=org,
                area_path=org.area.path,
                month=month,
                month_start=start,
                base=base,
                category=base.category,
                amount_due=amount,
            )
        )
    DuesMonth.objects.bulk_create(rows, batch_size=1000)
    created = list(
        DuesMonth.objects.filter(member_id__in=[r.member_id for r in rows], month=month).values_list("pk", flat=True)
    )
    dues_facts.record_many(created)
    return len(rows), len(done), without


# --- payments --------------------------------------------------------------------------------------


def _audit_journal(actor: Any, org: PartyOrg):
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
            area_path=org.area.path,
        )

    return record


def _money(value: Any, *, allow_zero: bool = False) -> Decimal:
    if value in (None, "") or (allow_zero and Decimal(str(value)) == 0):
        return ZERO
    return ledger.clean_amount(LEDGER, value)


@transaction.atomic
def payment_record(
    *,
    actor: Any,
    dues: DuesMonth,
    amount: Any,
    extra: Any = None,
    channel: str = Channel.CASH,
    external_ref: str = "",
    key: str,
) -> Payment:
    """A payment toward one month (and any voluntary extra), by the member or for the branch."""
    dues = DuesMonth.objects.select_for_update(of=("self",)).select_related("member__org", "org__area").get(pk=dues.pk)
    recorded_as = _check_member_or_branch(actor, dues.member)
    key = ledger.clean_key(f"dues:pay:{key}")
    found = cast(Journal | None, ledger.existing(LEDGER, key, JournalKind.PAYMENT))
    if found is not None:
        return Payment.objects.get(journal=found)
    if channel not in Channel.values:
        raise ValidationError(_("请选择交纳方式。"))
    amount, extra = _money(amount, allow_zero=True), _money(extra, allow_zero=True)
    if amount + extra <= 0:
        raise ValidationError(_("交纳金额必须大于零。"))
    if amount > dues.outstanding:
        raise ValidationError(
            _("%(m)s 还应交 %(o)s 元，交纳金额不能超过；多交的请填在“自愿多交”。")
            % {"m": f"{dues.month:%Y-%m}", "o": dues.outstanding}
        )
    org = dues.org
    total = amount + extra
    journal = cast(
        Journal,
        ledger.post(
            LEDGER,
            kind=JournalKind.PAYMENT,
            key=key,
            lines=[(account_of(org, AccountKind.RECEIPTS), -total), (account_of(org, AccountKind.HELD), total)],
            memo=_("%(n)s %(m)s 党费") % {"n": dues.member_name, "m": f"{dues.month:%Y-%m}"},
            actor=actor,
            on_create=_audit_journal(actor, org),
            org=org,
            area_path=org.area.path,
        ),
    )
    payment = Payment.objects.create(
        dues=dues,
        member=dues.member,
        org=org,
        area_path=org.area.path,
        amount=amount,
        extra=extra,
        channel=channel,
        external_ref=(external_ref or "").strip()[:64],
        recorded_as=recorded_as,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        journal=journal,
    )
    DuesMonth.objects.filter(pk=dues.pk).update(paid=F("paid") + amount, extra=F("extra") + extra)
    dues.refresh_from_db()
    dues_facts.record(dues)
    return payment


@transaction.atomic
def pay_outstanding(
    *, actor: Any, member: Member, extra: Any = None, channel: str = Channel.WECHAT, external_ref: str = "", key: str
) -> list[Payment]:
    """The member pays every month still outstanding, oldest first (one payment per month, one key
    each from `key`); a voluntary extra rides on the latest month."""
    months = list(DuesMonth.objects.filter(member=member).order_by("month"))
    open_months = [d for d in months if d.outstanding > 0]
    extra_amount = _money(extra, allow_zero=True)
    if not open_months and not extra_amount:
        raise ValidationError(_("没有需要交纳的党费。"))
    if not open_months:
        if not months:
            raise ValidationError(_("还没有生成党费记录，暂不能多交。"))
        open_months = []
    payments = []
    last = open_months[-1] if open_months else months[-1]
    for dues in open_months:
        payments.append(
            payment_record(
                actor=actor,
                dues=dues,
                amount=dues.outstanding,
                extra=extra_amount if dues is last else None,
                channel=channel,
                external_ref=external_ref,
                key=f"{key}:{dues.month:%Y%m}",
            )
        )
    if last not in open_months:
        payments.append(
            payment_record(
                actor=actor,
                dues=last,
                amount=ZERO,
                extra=extra_amount,
                channel=channel,
                external_ref=external_ref,
                key=f"{key}:extra",
            )
        )
    return payments


@transaction.atomic
def collect(
    *, actor: Any, org: PartyOrg, dues: list[DuesMonth], channel: str = Channel.CASH, key: str
) -> list[Payment]:
    """集中收缴: the branch records, in one go, that each of `dues` (its members' months) was paid in
    full; one journal for the total, one payment per month. Months already settled are left out."""
    _check_branch(actor, org)
    key = ledger.clean_key(f"dues:collect:{key}")
    found = cast(Journal | None, ledger.existing(LEDGER, key, JournalKind.PAYMENT))
    if found is not None:
        return list(Payment.objects.filter(journal=found))
    locked = list(DuesMonth.objects.select_for_update().filter(pk__in=[d.pk for d in dues], org=org).order_by("pk"))
    todo = [d for d in locked if d.outstanding > 0]
    if not todo:
        return []
    total = sum((d.outstanding for d in todo), start=ZERO)
    journal = cast(
        Journal,
        ledger.post(
            LEDGER,
            kind=JournalKind.PAYMENT,
            key=key,
            lines=[(account_of(org, AccountKind.RECEIPTS), -total), (account_of(org, AccountKind.HELD), total)],
            memo=_("%(o)s 集中收缴 %(n)s 人") % {"o": org.name, "n": len(todo)},
            actor=actor,
            on_create=_audit_journal(actor, org),
            org=org,
            area_path=org.area.path,
        ),
    )
    by = actor if getattr(actor, "is_authenticated", False) else None
    payments = Payment.objects.bulk_create(
        Payment(
            dues=d,
            member_id=d.member_id,
            org=org,
            area_path=org.area.path,
            amount=d.outstanding,
            channel=channel,
            recorded_as=Payment.RecordedAs.BRANCH,
            recorded_by=by,
            journal=journal,
        )
        for d in todo
    )
    # Each was outstanding, so each is now paid exactly what it owes: one UPDATE.
    DuesMonth.objects.filter(pk__in=[d.pk for d in todo]).update(paid=F("amount_due") + F("adjustment"))
    dues_facts.record_many([d.pk for d in todo])
    return payments


# --- remittance ------------------------------------------------------------------------------------


def held_balance(org: PartyOrg) -> Decimal:
    account = Account.objects.filter(org=org, kind=AccountKind.HELD).values_list("pk", flat=True).first()
    return ledger.balance(LEDGER, account) if account else ZERO


@transaction.atomic
def remit(*, actor: Any, org: PartyOrg, amount: Any, note: str = "", key: str) -> Remittance:
    """Pass `amount` of what `org` holds up to its parent organization (refused above what it holds)."""
    if actor is not None:
        _check_branch(actor, org)
    parent = cast(PartyOrg | None, org.parent)  # TreeNode.parent: the same model
    if parent is None:
        raise ValidationError(_("该党组织没有上级党组织，无需上缴。"))
    amount = ledger.clean_amount(LEDGER, amount)
    key = ledger.clean_key(f"dues:remit:{key}")
    found = cast(Journal | None, ledger.existing(LEDGER, key, JournalKind.REMIT))
    if found is not None:
        return Remittance.objects.get(journal=found)
    journal = cast(
        Journal,
        ledger.post(
            LEDGER,
            kind=JournalKind.REMIT,
            key=key,
            lines=[(account_of(org, AccountKind.HELD), -amount), (account_of(parent, AccountKind.HELD), amount)],
            memo=(note or _("%(a)s 上缴 %(b)s") % {"a": org.name, "b": parent.name})[:200],
            actor=actor,
            short=lambda account: _("留存党费不足，最多可上缴 %(b)s 元。") % {"b": account.balance},
            on_create=_audit_journal(actor, org),
            org=org,
            area_path=org.area.path,
        ),
    )
    return Remittance.objects.create(
        from_org=org,
        to_org=parent,
        area_path=org.area.path,
        amount=amount,
        note=(note or "")[:200],
        journal=journal,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


# --- personal data ---------------------------------------------------------------------------------


@transaction.atomic
def pay_reveal(*, actor: Any, base: PayBase) -> Decimal | None:
    """The full pay of a base for someone acting for the branch (or the member), with an audit row."""
    _check_member_or_branch(actor, base.member)
    audit_record(
        actor=actor,
        action=Action.REVEAL,
        obj=base,
        changes={"field": [None, "monthly_pay"]},
        area_path=base.member.org.area.path if base.member.org else "",
    )
    return base.monthly_pay


def new_key() -> str:
    return uuid.uuid4().hex
