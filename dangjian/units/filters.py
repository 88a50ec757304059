"""The unit list's filters, parsed once from the query string and used by the list page and by its
Excel export, so the export holds exactly the rows the list shows (all pages of them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.db.models import QuerySet
from django.http import QueryDict

from dangjian.core.scoping import active_scope
from dangjian.territory.models import Area, Level

from . import selectors


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
    formation, community, area (its subtree)."""

    query: str = ""
    kind: str = ""
    formation: str = ""
    community: Area | None = None
    area: Area | None = None

    NAMES = ("q", "kind", "formation", "community", "area")

    @classmethod
    def parse(cls, user: Any, params: QueryDict | dict) -> UnitFilter:
        kind, formation = _param(params, "kind"), _param(params, "formation")
        return cls(
            query=_param(params, "q"),
            kind=kind if kind in dict(cls.kinds(user)) else "",
            formation=formation if formation in dict(selectors.formation_choices()) else "",
            community=_area(user, params, "community", level=Level.COMMUNITY),
            area=_area(user, params, "area"),
        )

    @staticmethod
    def kinds(user: Any) -> list[tuple[str, str]]:
        return selectors.unit_kind_choices(active_scope(user).area_path)

    @property
    def filtered(self) -> bool:
        return bool(self.query or self.kind or self.formation or self.community or self.area)

    def units(self, user: Any) -> QuerySet:
        return selectors.unit_list(
            user,
            query=self.query,
            kind=self.kind,
            formation=self.formation,
            community=self.community,
            area=self.area,
        )

    def given(self, params: QueryDict | dict) -> dict[str, str]:
        """The filters actually given, as typed (for the export's audit row)."""
        return {name: _param(params, name) for name in self.NAMES if _param(params, name)}
