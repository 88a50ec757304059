"""Writes of classified points (党员分类积分). Every write is atomic and audited; the ledger is append-only.

- `award(...)` is what the other apps call when an event earns points (registration confirmed, demand
  done, service hours, a good rating, attendance). It is idempotent per (member, rule, event_key): a retried
  or raced event writes nothing more; the unique constraint decides, inside a savepoint.
- `award_manual(...)`: a community worker awards points of a hand-award rule, with a reason.
- `correct(...)`: a reversing entry; entries are never edited or deleted.
- `rules_for_year(district, year)`: the rules in force; a year first used copies the nearest year's rules.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.services import Action, audit_record
from dangjian.core.scoping import acting_user
from dangjian.core.tree import STEP
from dangjian.people.models import Member
from dangjian.territory.models import Area, Level

from .models import PointCategory, PointEntry, PointRule, PointTotal
from .permissions import may_award, may_edit_rules

RULE_COPY_FIELDS = ("code", "category_id", "name", "points", "per", "is_active", "manual")
MAX_POINTS = Decimal("9999")


class PointsRefused(ValidationError):
    """A step the actor may not take, or one already taken (with a clear Chinese message)."""


# --- rules -------------------------------------------------------------------------------


def _copy_nearest_year(*, district: Area | None, year: int) -> None:
    """Copy the rules of the latest earlier year that has some. The defaults of a year before the first
    one (entries back-dated to before installation) come from the earliest later year; a district's own
    changes only ever carry forward."""
    own = (
        PointRule.objects.filter(district=district)
        if district is not None
        else PointRule.objects.filter(district__isnull=True)
    )
    source_year = own.filter(year__lt=year).order_by("-year").values_list("year", flat=True).first()
    if source_year is None and district is None:
        source_year = own.filter(year__gt=year).order_by("year").values_list("year", flat=True).first()
    if source_year is None:
        return
    copies = [
        PointRule(district=district, year=year, **{f: getattr(rule, f) for f in RULE_COPY_FIELDS})
        for rule in own.filter(year=source_year)
    ]
    # Two first uses of a year at once: the unique constraints keep one copy of each rule.
    PointRule.objects.bulk_create(copies, ignore_conflicts=True)


def _ensure_year(district: Area | None, year: int) -> None:
    if not PointRule.objects.filter(district__isnull=True, year=year).exists():
        _copy_nearest_year(district=None, year=year)
    if district is not None and not PointRule.objects.filter(district=district, year=year).exists():
        _copy_nearest_year(district=district, year=year)


def rules_for_year(district: Area | None, year: int) -> list[PointRule]:
    """The rules in force in `district` in `year`: the defaults, each replaced by the district's own row.

    A year used for the first time gets a copy of the nearest year's rules (defaults and the district's
    own), so that what a district changed carries over and next year's changes do not rewrite history.
    """
    _ensure_year(district, year)
    rows = PointRule.objects.filter(Q(district__isnull=True) | Q(district=district), year=year).select_related(
        "category", "district"
    )
    chosen: dict[str, PointRule] = {}
    for rule in rows:
        if rule.code not in chosen or rule.district_id is not None:
            chosen[rule.code] = rule
    return sorted(chosen.values(), key=lambda r: (r.category.order, r.category_id, r.code))


def rule_for(district: Area | None, year: int, code: str) -> PointRule | None:
    """The one rule in force for `code` (active or not), or None when no year has such a rule."""
    _ensure_year(district, year)
    rows = list(
        PointRule.objects.filter(Q(district__isnull=True) | Q(district=district), year=year, code=code)
        .select_related("category")
        .order_by(F("district_id").desc(nulls_last=True))
    )
    return rows[0] if rows else None


def district_of_member(member: Member) -> Area | None:
    """The district whose rules apply: the one the member lives in, else the one of their organization."""
    path = ""
    home, org = member.home_community, member.org
    if home is not None:
        path = home.path
    elif org is not None and org.area is not None:
        path = org.area.path
    if not path:
        return None
    return Area.objects.filter(path=path[:STEP], level=Level.DISTRICT).first()


def district_of_scope(user: Any) -> Area | None:
    from dangjian.core.scoping import active_scope

    scope = active_scope(user)
    if not scope.area_path:
        return None
    return Area.objects.filter(path=scope.area_path[:STEP], level=Level.DISTRICT).first()


@transaction.atomic
def rule_update(*, actor: Any, district: Area, rule: PointRule, points: Decimal, is_active: bool) -> PointRule:
    """A district admin changes a rule's points or switches it on/off for their district and that year.

    A default row is never changed here: the district gets its own row for the year, which overrides it.
    """
    if not may_edit_rules(actor):
        raise PointsRefused(_("只有区级管理员可以修改积分规则。"))
    if district.level != Level.DISTRICT:
        raise PointsRefused(_("积分规则按区设置。"))
    if rule.district_id not in (None, district.pk):
        raise PointsRefused(_("不能修改其他区的积分规则。"))
    points = Decimal(points).quantize(Decimal("0.01"))
    if abs(points) > MAX_POINTS:
        raise ValidationError({"points": _("分值超出范围（-9999 至 9999）。")})
    if rule.district_id is None:
        own = PointRule(district=district, year=rule.year, **{f: getattr(rule, f) for f in RULE_COPY_FIELDS})
        try:
            with transaction.atomic():
                own.save()
        except IntegrityError:  # the district got its own row a moment ago: change that one
            pass
        rule = PointRule.objects.get(district=district, year=rule.year, code=rule.code)
    locked = PointRule.objects.select_for_update().select_related("category").get(pk=rule.pk)
    before = {"points": str(locked.points), "is_active": locked.is_active}
    locked.points, locked.is_active = points, bool(is_active)
    locked.updated_by = acting_user(actor)
    locked.save(update_fields=["points", "is_active", "updated_by", "updated_at"])
    after = {"points": str(locked.points), "is_active": locked.is_active}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=locked,
        changes={**changes, "year": [None, locked.year], "code": [None, locked.code]},
        area_path=district.path,
    )
    return locked


# --- the ledger --------------------------------------------------------------------------


def _add_to_totals(*, member_id: int, year: int, category_id: int, points: Decimal) -> None:
    """Add to the member's running sums for the category and across categories (race-safe upserts)."""
    for cat in (category_id, None):
        rows = PointTotal.objects.filter(member_id=member_id, year=year, category_id=cat)
        if rows.update(points=F("points") + points):
            continue
        try:
            with transaction.atomic():
                PointTotal.objects.create(member_id=member_id, year=year, category_id=cat, points=points)
        except IntegrityError:  # created by a concurrent award just now
            rows.update(points=F("points") + points)


def _write_entry(entry: PointEntry) -> PointEntry | None:
    """Insert; None when the same (member, rule, event) is already there (a retry or a race)."""
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        return None
    _add_to_totals(member_id=entry.member_id, year=entry.year, category_id=entry.category_id, points=entry.points)
    return entry


def _member_area_path(member: Member) -> str:
    return member.home_community.path if member.home_community is not None else ""


@transaction.atomic
def award(
    *,
    user: Any,
    rule_code: str,
    event_key: str,
    quantity: Decimal = Decimal(1),
    occurred_at: datetime.datetime | None = None,
    note: str = "",
    actor: Any = None,
) -> PointEntry | None:
    """Award `rule_code` points x `quantity` to the member whose account is `user`, once per event.

    Returns the entry (the first one, on a retry), or None when the user is not a member or the rule is
    switched off in the member's district for that year.
    """
    if user is None or getattr(user, "pk", None) is None:
        return None
    member = Member.objects.filter(user_id=user.pk).select_related("home_community", "org__area").first()
    if member is None:
        return None
    occurred_at = occurred_at or timezone.now()
    year = timezone.localtime(occurred_at).year
    rule = rule_for(district_of_member(member), year, rule_code)
    if rule is None:
        raise LookupError(f"no point rule with code {rule_code!r}")
    # A retry finds the first award even if the district gave itself its own copy of the rule since.
    existing = PointEntry.objects.filter(
        member=member, rule__code=rule_code, year=year, event_key=event_key, reverses__isnull=True
    ).first()
    if existing is not None:
        return existing
    if not rule.is_active:
        return None
    quantity = Decimal(quantity)
    entry = _write_entry(
        PointEntry(
            member=member,
            rule=rule,
            category=rule.category,
            year=year,
            quantity=quantity,
            points=(rule.points * quantity).quantize(Decimal("0.01")),
            event_key=event_key[:120],
            occurred_at=occurred_at,
            note=(note or rule.name)[:300],
            created_by=acting_user(actor),
        )
    )
    if entry is None:  # a concurrent call won the race
        return PointEntry.objects.get(member=member, rule=rule, event_key=event_key[:120])
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=entry,
        object_repr=f"{member.name}：{rule.name} {entry.points}",
        changes={"points": [None, str(entry.points)], "rule": [None, rule.code], "event": [None, entry.event_key]},
        area_path=_member_area_path(member),
    )
    return entry


def _check_awarding(actor: Any, member: Member) -> None:
    if getattr(actor, "is_superuser", False):
        return
    if not may_award(actor):
        raise PointsRefused(_("只有社区工作者和街道、区级管理员可以记分。"))
    if not Member.objects.visible_to(actor).filter(pk=member.pk).exists():
        raise PointsRefused(_("该党员不在您的管理范围内。"))


@transaction.atomic
def award_manual(
    *,
    actor: Any,
    member: Member,
    rule_code: str,
    reason: str,
    token: str,
    quantity: Decimal = Decimal(1),
    occurred_at: datetime.datetime | None = None,
) -> PointEntry:
    """A worker awards a hand-award rule's points (e.g. 学习 for attending a study session), with a reason.

    `token` comes with the form: submitting the same form twice awards once.
    """
    _check_awarding(actor, member)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写记分事由（党员本人可以看到）。")})
    quantity = Decimal(quantity)
    if quantity <= 0 or quantity > 100:
        raise ValidationError({"quantity": _("数量应在 0 到 100 之间。")})
    occurred_at = occurred_at or timezone.now()
    if occurred_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"occurred_at": _("发生时间不能晚于现在。")})
    member = Member.objects.select_related("home_community", "org__area").get(pk=member.pk)
    year = timezone.localtime(occurred_at).year
    rule = rule_for(district_of_member(member), year, rule_code)
    if rule is None or not rule.is_active or not rule.manual:
        raise PointsRefused(_("该积分规则未启用或不能人工记分。"))
    key = f"manual:{token}"[:120]
    entry = _write_entry(
        PointEntry(
            member=member,
            rule=rule,
            category=rule.category,
            year=year,
            quantity=quantity,
            points=(rule.points * quantity).quantize(Decimal("0.01")),
            event_key=key,
            occurred_at=occurred_at,
            note=reason[:300],
            created_by=acting_user(actor),
        )
    )
    if entry is None:  # the same form again
        return PointEntry.objects.get(member=member, rule=rule, event_key=key)
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=entry,
        object_repr=f"{member.name}：{rule.name} {entry.points}",
        changes={"points": [None, str(entry.points)], "rule": [None, rule.code], "reason": [None, reason]},
        area_path=_member_area_path(member),
    )
    return entry


@transaction.atomic
def correct(*, actor: Any, entry: PointEntry, reason: str) -> PointEntry:
    """Cancel an entry with a reversing entry of the opposite sign (same year, rule and category)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写更正原因。")})
    # Lock the entry: two corrections at once leave one reversal.
    locked = (
        PointEntry.objects.select_for_update(of=("self",))
        .select_related("member__home_community", "rule")
        .get(pk=entry.pk)
    )
    if actor is not None:
        _check_awarding(actor, locked.member)
    if locked.reverses_id is not None:
        raise PointsRefused(_("这是一条更正记录，不能再更正。"))
    if PointEntry.objects.filter(reverses=locked).exists():
        raise PointsRefused(_("该记录已被更正，不能重复更正。"))
    reversal = _write_entry(
        PointEntry(
            member=locked.member,
            rule=locked.rule,
            category_id=locked.category_id,
            year=locked.year,
            quantity=locked.quantity,
            points=-locked.points,
            event_key=f"reversal:{locked.public_id}",
            occurred_at=timezone.now(),
            note=(_("更正：%(r)s") % {"r": reason})[:300],
            reverses=locked,
            created_by=acting_user(actor),
        )
    )
    if reversal is None:  # pragma: no cover - the lock above serializes corrections
        raise PointsRefused(_("该记录已被更正，不能重复更正。"))
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=reversal,
        object_repr=f"{locked.member.name}：{_('更正')} {reversal.points}",
        changes={
            "reverses": [None, str(locked.public_id)],
            "points": [None, str(reversal.points)],
            "reason": [None, reason],
        },
        area_path=_member_area_path(locked.member),
    )
    return reversal


# --- reads used by the services' callers --------------------------------------------------


@dataclass(frozen=True)
class CategoryTotal:
    category: PointCategory
    points: Decimal


@dataclass(frozen=True)
class Totals:
    year: int
    total: Decimal
    by_category: list[CategoryTotal]


def totals(member: Member, year: int) -> Totals:
    """The member's points in `year`, per category (every category, zero included) and in all."""
    rows: dict[int | None, Decimal] = dict(
        PointTotal.objects.filter(member=member, year=year).values_list("category_id", "points")
    )
    by_category = [CategoryTotal(c, rows.get(c.pk, Decimal(0))) for c in PointCategory.objects.all()]
    return Totals(year=year, total=rows.get(None, Decimal(0)), by_category=by_category)


def new_token() -> str:
    return uuid.uuid4().hex
