"""Rules about a member's facts, each written once and used by the form, the services and the importer."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from .models import ORG_OPTIONAL_STATUSES, MemberCategory, MemberStatus

# Party membership requires the applicant to be at least this old (党章第一条).
MIN_JOIN_AGE = 18


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def join_age_error(joined_on: datetime.date | None, birth_date: datetime.date | None) -> str:
    """Why `joined_on` is too early for someone born on `birth_date` ("" when it is not, or unknown)."""
    if joined_on is None or birth_date is None or joined_on >= add_years(birth_date, MIN_JOIN_AGE):
        return ""
    return _("入党日期早于年满 %(age)s 周岁的日期（出生日期 %(birth)s），请核对入党日期或身份证号。") % {
        "age": MIN_JOIN_AGE,
        "birth": birth_date.isoformat(),
    }


def dates_errors(
    *,
    category: str,
    joined_on: datetime.date | None,
    confirmed_on: datetime.date | None,
    birth_date: datetime.date | None,
) -> list[tuple[str, str]]:
    """The rules between a member's category and dates: (field, message) for each one broken."""
    errors = []
    if category == MemberCategory.PROBATIONARY and confirmed_on:
        errors.append(
            ("confirmed_on", _("预备党员不应填写转正日期：预备党员尚未转正，转正后请把党员类别改为正式党员。"))
        )
    if joined_on and confirmed_on and confirmed_on < joined_on:
        errors.append(("confirmed_on", _("转正日期早于入党日期：转正日期不能早于入党日期。")))
    if too_young := join_age_error(joined_on, birth_date):
        errors.append(("joined_on", too_young))
    return errors


def org_missing_error(status: str, *, has_org: bool) -> str:
    """Why a member of `status` needs an organization ("" when they have one or may go without)."""
    if has_org or not status or status in ORG_OPTIONAL_STATUSES:
        return ""
    return _("%(status)s党员须填写所在党组织（只有口袋党员可以不填）；组织关系不明的请登记为口袋党员。") % {
        "status": dict(MemberStatus.choices).get(status, status)
    }
