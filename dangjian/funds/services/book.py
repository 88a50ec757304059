"""The funds ledger's own helpers (not called from other apps): its accounts, fund kinds, the audit row
of a journal, and `post`, which words and audits core.ledger.post for funds."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from dangjian.audit.services import Action, audit_record
from dangjian.core import ledger
from dangjian.core.scoping import scope_for
from dangjian.core.tree import STEP
from dangjian.territory.models import Area

from ..models import LEDGER, Account, AccountKind, FundKind, Journal
from ..rules import DEFAULT_KINDS

MAX_HOLDER = 120
MIN_YEAR, MAX_YEAR = 2000, 2100


def district_of(area: Area) -> Area:
    """The district an area lies in (the root of its path)."""
    if area.level == "district":
        return area
    district = Area.objects.filter(path=area.path[:STEP], level="district").first()
    if district is None:
        raise ValidationError(_("找不到该区域所属的区。"))
    return district


def ensure_kinds(district: Area) -> list[FundKind]:
    """The district's fund kinds, the defaults written the first time they are needed."""
    kinds = list(FundKind.objects.filter(district=district).order_by("position", "pk"))
    have = {k.code for k in kinds}
    missing = [d for d in DEFAULT_KINDS if d.code not in have]
    if missing:
        for position, default in enumerate(DEFAULT_KINDS):
            if default.code not in have:
                FundKind.objects.get_or_create(
                    district=district,
                    code=default.code,
                    defaults={
                        "name": str(default.name),
                        "level": default.level,
                        "rule": default.rule,
                        "fixed_amount": default.fixed_amount,
                        "per_unit_min": default.per_unit_min,
                        "per_unit_max": default.per_unit_max,
                        "total_min": default.total_min,
                        "total_max": default.total_max,
                        "note": str(default.note),
                        "position": position,
                    },
                )
        kinds = list(FundKind.objects.filter(district=district).order_by("position", "pk"))
    return kinds


def fund_kind(district: Area, code: str) -> FundKind:
    """The district's active kind `code`, or a Chinese refusal."""
    for kind in ensure_kinds(district):
        if kind.code == code:
            if not kind.active:
                raise ValidationError(_("经费类别「%(name)s」已停用。") % {"name": kind.name})
            return kind
    raise ValidationError(_("没有这一经费类别。"))


def clean_year(year: Any) -> int:
    try:
        value = int(year)
    except (TypeError, ValueError) as exc:
        raise ValidationError(_("年度不正确。")) from exc
    if not MIN_YEAR <= value <= MAX_YEAR:
        raise ValidationError(_("年度不正确。"))
    return value


def clean_holder(holder: str) -> str:
    holder = (holder or "").strip()
    if not holder:
        raise ValidationError(_("缺少承诺对象。"))
    if len(holder) > MAX_HOLDER:
        raise ValidationError(_("承诺对象标识过长。"))
    return holder


def community_of(community: Any) -> Area:
    if community is None or getattr(community, "level", None) != "community":
        raise ValidationError(_("请选择一个社区。"))
    return community


def check_covers(actor: Any, area: Area) -> None:
    """A signed-in actor must cover the area (the system, actor None, may act anywhere)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return
    scope = scope_for(actor)
    if scope.everything:
        return
    if not scope.area_path or not area.path.startswith(scope.area_path):
        raise ValidationError(_("只有本辖区的工作人员可以办理。"))


def area_account(kind: str, area: Area, fund: str, year: int) -> Account:
    account, _created = Account.objects.get_or_create(kind=kind, area=area, fund=fund, year=year, holder="")
    return account


def source_account(district: Area, fund: str, year: int) -> Account:
    return area_account(AccountKind.SOURCE, district, fund, year)


def fund_account(area: Area, fund: str, year: int) -> Account:
    return area_account(AccountKind.FUND, area, fund, year)


def spent_account(area: Area, fund: str, year: int) -> Account:
    return area_account(AccountKind.SPENT, area, fund, year)


def find_commitment(holder: str) -> Account | None:
    return Account.objects.filter(kind=AccountKind.COMMITMENT, holder=holder).select_related("area").first()


def existing(key: str, kind: str) -> Journal | None:
    return cast(Journal | None, ledger.existing(LEDGER, ledger.clean_key(key), kind))


def _short(account: Account) -> str:
    if account.kind == AccountKind.COMMITMENT:
        return _("超出已承诺且未支付的金额（剩余 %(b)s 元）。") % {"b": account.balance}
    if account.kind == AccountKind.SPENT:
        return _("退款超出已支付的金额。")
    return _("%(area)s %(year)s 年该类经费可用余额不足（可用 %(b)s 元）。") % {
        "area": account.area.name,
        "year": account.year,
        "b": account.balance,
    }


def _audit(actor: Any, area: Area):
    def record(journal: Journal, lines) -> None:
        audit_record(
            actor=actor,
            action=Action.CREATE,
            obj=journal,
            changes={
                "kind": [None, str(journal.get_kind_display())],
                "amount": [None, str(journal.amount)],
                "entries": [None, [f"{a} {amt:+}" for a, amt in lines]],
                "memo": [None, journal.memo],
            },
            area_path=area.path,
        )

    return record


def post(
    *,
    kind: str,
    key: str,
    lines: list[tuple[Account, Decimal]],
    area: Area,
    fund: str,
    year: int,
    amount: Decimal,
    memo: str,
    actor: Any,
    **fields: Any,
) -> Journal:
    """One balanced funds journal through the engine, worded and audited for funds."""
    return cast(
        Journal,
        ledger.post(
            LEDGER,
            kind=kind,
            key=key,
            lines=lines,
            memo=memo,
            actor=actor,
            short=_short,
            on_create=_audit(actor, area),
            area=area,
            area_path=area.path,
            fund=fund,
            year=year,
            amount=amount,
            **fields,
        ),
    )
