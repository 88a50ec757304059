"""The unit list's filters, parsed once from the query string and used by the list page and by its
Excel export, so the export holds exactly the rows the list shows (all pages of them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import active_scope, scope_for
from dangjian.territory.models import Area, Level

from . import coverage, selectors


def _param(params: QueryDict | dict, name: str) -> str:
    value = params.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _area(user: Any, params: QueryDict | dict, name: str, **lookups: Any) -> Area | None:
    """An area filter by public id; unknown or out of scope answers 404."""
    value = _param(params, name)
    return cast(Area, Area.objects.get_for_user(user, value, **lookups)) if value else None


@dataclass(frozen=True)
class UnitFilter:
    """units:list: q (name, pinyin initials or credit code), kind (of the district's kinds),
    formation, community, area (its subtree), sector (new: 两新组织), covered (selectors.Covered: has an
    organization, red, work-covered, a blank spot: as the coverage figures count them). An unknown
    kind, formation, sector or covered is ignored; an unknown or out-of-scope place answers 404."""

    query: str = ""
    kind: str = ""
    formation: str = ""
    community: Area | None = None
    area: Area | None = None
    sector: str = ""
    covered: str = ""

    NAMES = ("q", "kind", "formation", "community", "area", "sector", "covered")
    # The choice filters whose unknown values are ignored (the page says so).
    LABELS = {"kind": _("单位类型"), "formation": _("组建方式"), "sector": _("单位类别"), "covered": _("覆盖情况")}

    @classmethod
    def parse(cls, user: Any, params: QueryDict | dict) -> UnitFilter:
        kind, formation = _param(params, "kind"), _param(params, "formation")
        sector, covered = _param(params, "sector"), _param(params, "covered")
        return cls(
            query=_param(params, "q"),
            kind=kind if kind in dict(cls.kinds(user)) else "",
            formation=formation if formation in dict(selectors.formation_choices()) else "",
            community=_area(user, params, "community", level=Level.COMMUNITY),
            area=_area(user, params, "area"),
            sector=sector if sector in dict(selectors.sector_choices()) else "",
            covered=covered if covered in dict(selectors.covered_choices()) else "",
        )

    @staticmethod
    def kinds(user: Any) -> list[tuple[str, str]]:
        return selectors.unit_kind_choices(active_scope(user).area_path)

    @property
    def filtered(self) -> bool:
        return bool(
            self.query or self.kind or self.formation or self.community or self.area or self.sector or self.covered
        )

    def rules(self, user: Any) -> coverage.Rules | None:
        """The coverage thresholds a blank spot is judged by: the district of the place filtered, else
        of the user's scope (every district's own above them); None when no blank spots are asked for."""
        if self.covered != selectors.Covered.BLANK:
            return None
        place = self.community or self.area
        if place is not None:
            return coverage.area_rules(place)
        path = scope_for(user).area_path
        return coverage.rules_for(coverage.district_path_of(path) if path else None)

    def units(self, user: Any) -> QuerySet:
        return selectors.unit_list(
            user,
            query=self.query,
            kind=self.kind,
            formation=self.formation,
            community=self.community,
            area=self.area,
            sector=self.sector,
            covered=self.covered,
            rules=self.rules(user),
        )

    def ignored(self, params: QueryDict | dict) -> list[str]:
        """The choice filters given with a value that was not taken."""
        return [name for name in self.LABELS if _param(params, name) and not getattr(self, name)]

    def given(self, params: QueryDict | dict) -> dict[str, str]:
        """The filters actually given, as typed (for the export's audit row)."""
        return {name: _param(params, name) for name in self.NAMES if _param(params, name)}
