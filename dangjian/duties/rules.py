"""The default kinds of duty item (data; migration 0002 writes them, `ensure_kinds` again where a test
database was emptied): a community may be the responsible party for none of 行政执法、拆迁拆违、环境整治."""

from __future__ import annotations

KINDS = [
    ("party_building", "党建", True),
    ("governance", "治理", True),
    ("service", "服务", True),
    ("admin_assist", "行政协助", True),
    ("enforcement", "行政执法", False),
    ("demolition", "拆迁拆违", False),
    ("environment", "环境整治", False),
    ("other", "其他", True),
]


def ensure_kinds() -> dict[str, object]:
    """The kinds by code, the defaults written where missing (an edited kind is left as it is)."""
    from .models import DutyKind

    for sort, (code, name, allowed) in enumerate(KINDS, start=1):
        DutyKind.objects.get_or_create(
            code=code, defaults={"name": name, "community_may_be_responsible": allowed, "sort": sort}
        )
    return {k.code: k for k in DutyKind.objects.all()}
