"""The district's rules of case handling as they apply to one case (CasePolicy, data with defaults)."""

from __future__ import annotations

from typing import Any

from .models import Case, CasePolicy

# A new deadline (reopen, approved extension) starts the warn/overdue/escalate scans afresh.
DEADLINE_MARKS_CLEARED: dict[str, Any] = {"warned_at": None, "overdue_at": None, "escalation_level": 0}


def policy_for(case: Case) -> CasePolicy:
    policy = CasePolicy.objects.filter(district_id=case.district_id).first()
    return policy or CasePolicy(district_id=case.district_id)


def limit_for(case: Case) -> tuple[int, str]:
    """The time limit: the duty item's, else the district's default."""
    item = case.duty_item if case.duty_item_id else None
    if item is not None:
        return item.limit_amount, item.limit_unit
    policy = policy_for(case)
    return policy.default_limit_amount, policy.default_limit_unit
