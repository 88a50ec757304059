"""The rules a district holds its deliberation to: saved rows, else the lawful defaults.

Defaults: the Party committee and the two committees meet with more than half of their members and
pass with more than half of them; the members' meeting needs at least 2/3 of the members due and
passes with more than half of those due (the plan reaches members 3 days ahead); the residents'
representatives' meeting needs at least 2/3 of the representatives and passes with more than half of
those present (村民委员会组织法 art. 26); a residents' meeting needs more than half of the adults or
at least 2/3 of the households and passes with more than half of those present (art. 22).
"""

from __future__ import annotations

from typing import Any

from dangjian.core.tree import STEP
from dangjian.meetings.models import Base

from .models import DistrictRules, RuleKey, StageRule

K = RuleKey
LAWFUL: dict[str, dict[str, Any]] = {
    K.PROPOSE: {"quorum": (1, 2, True, Base.DUE), "majority": (1, 2, True, Base.DUE)},
    K.CONSULT: {"quorum": (1, 2, True, Base.DUE), "majority": (1, 2, True, Base.DUE)},
    K.REVIEW: {"quorum": (2, 3, False, Base.DUE), "majority": (1, 2, True, Base.DUE)},
    K.RESOLVE: {"quorum": (2, 3, False, Base.DUE), "majority": (1, 2, True, Base.PRESENT)},
    K.ASSEMBLY: {"quorum": (1, 2, True, Base.DUE), "majority": (1, 2, True, Base.PRESENT), "households": (2, 3)},
}


def district_rules(area: Any) -> DistrictRules:
    """The district's rules; the defaults (unsaved) when it has not set its own."""
    found = DistrictRules.objects.filter(district__path=area.path[:STEP]).first()
    return found or DistrictRules()


def stage_rule(area: Any, key: str) -> StageRule:
    found = StageRule.objects.filter(district__path=area.path[:STEP], stage=key).first()
    if found is not None:
        return found
    lawful = LAWFUL[key]
    fields: dict[str, Any] = {}
    for prefix in ("quorum", "majority"):
        num, den, strict, base = lawful[prefix]
        fields.update({f"{prefix}_num": num, f"{prefix}_den": den, f"{prefix}_strict": strict, f"{prefix}_base": base})
    if "households" in lawful:
        fields["households_quorum_num"], fields["households_quorum_den"] = lawful["households"]
    return StageRule(stage=key, **fields)


def meeting_rules(rule: StageRule) -> dict[str, Any]:
    """The keyword arguments of meetings.services.meeting_create that carry a stage rule."""
    out: dict[str, Any] = {
        prefix: {k: getattr(rule, f"{prefix}_{k}") for k in ("num", "den", "strict", "base")}
        for prefix in ("quorum", "majority")
    }
    if rule.households_quorum_num:
        out["households_quorum"] = (rule.households_quorum_num, rule.households_quorum_den)
    return out


def rules_of_stage(area: Any, key: str) -> dict[str, Any]:
    return meeting_rules(stage_rule(area, key))


# The matters 村民委员会组织法 art. 24 (and Guangdong's implementing measures) send through the
# procedure; a district edits the list (admin), adds its own and switches any off.
LAWFUL_KINDS: tuple[tuple[str, bool], ...] = (
    ("享受误工补贴的人员及补贴标准", True),
    ("集体经济所得收益的使用", True),
    ("公益事业的兴办和筹资筹劳方案及建设承包方案", True),
    ("土地承包经营方案", True),
    ("集体经济项目的立项、承包方案", True),
    ("宅基地的使用方案", True),
    ("征地补偿费的使用、分配方案", True),
    ("以借贷、租赁或其他方式处分集体财产", True),
    ("涉及居民切身利益的其他重大事项", True),
    ("日常社区事务（无需四议两公开）", False),
)


def matter_kinds(area: Any) -> Any:
    """The district's matter kinds, the lawful list written the first time a district asks for it."""
    from dangjian.territory.models import Area

    from .models import MatterKind

    district = Area.objects.get(path=area.path[:STEP])
    if not MatterKind.objects.filter(district=district).exists():
        MatterKind.objects.bulk_create(
            [MatterKind(district=district, name=name, must_go_through=must) for name, must in LAWFUL_KINDS],
            ignore_conflicts=True,
        )
    return MatterKind.objects.filter(district=district, active=True).order_by("-must_go_through", "pk")
