"""The rules a district holds its co-building to: saved rows, else the defaults the seeds quote.

Defaults: joint meetings monthly at subdistrict and community (seed 001), quarterly at the district; each
covenant unit visits its subdistrict or community at least once a year and is visited once (seed 001);
liaisons visit weekly (seed 003: 每周走访网格); three-party coordination quarterly; a raised matter is
routed within 15 days; the estate branch's duty list (小区党支部权责清单, seed 000).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from dangjian.core.tree import STEP

from .models import DistrictRules, EstateDutyItem, LiaisonRule

DEFAULT_ESTATE_DUTIES = (
    _("宣传贯彻党的路线方针政策，组织小区党员开展组织生活"),
    _("领导小区业主委员会依法履职，推荐党员按程序进入业委会"),
    _("监督物业服务企业履行物业服务合同，定期听取物业服务情况汇报"),
    _("召集小区党支部、业委会、物业服务企业三方协调会议，化解物业矛盾纠纷"),
    _("收集居民诉求，协调解决小区公共事务，重大事项向社区党委报告"),
    _("组织在职党员、志愿者参与小区治理和志愿服务"),
)


def district_rules(area: Any) -> DistrictRules:
    """The district's rules; the defaults (unsaved) when it has not set its own."""
    found = DistrictRules.objects.filter(district__path=area.path[:STEP]).first()
    return found or DistrictRules()


def liaison_rule(area_path: str, level: str) -> LiaisonRule:
    found = LiaisonRule.objects.filter(district__path=area_path[:STEP], level=level).first()
    return found or LiaisonRule(level=level)


def liaison_rules(district_paths: set[str]) -> dict[tuple[str, str], LiaisonRule]:
    """Every saved rule of the districts, by (district path, level): one query for a page."""
    return {
        (r.district.path, r.level): r
        for r in LiaisonRule.objects.filter(district__path__in=district_paths).select_related("district")
    }


def estate_duties(area: Any) -> list[str]:
    saved = list(EstateDutyItem.objects.filter(district__path=area.path[:STEP]).values_list("text", flat=True))
    return saved or [str(t) for t in DEFAULT_ESTATE_DUTIES]
