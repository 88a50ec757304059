"""What a figures request asks for: a node the user may pick and a period, and links that keep both.

An app subclasses FigureSelection with the nodes its users may pick, where they start, and any
parameter of its own (e.g. a department); a node outside those answers 404 like a missing one.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.http import urlencode

from dangjian.core.periods import PERIOD_CHOICES, Period, PeriodError, period_for


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def period_from_query(params: Mapping[str, str]) -> tuple[Period, str]:
    """The period of `period` (and `from`/`to` for a custom one); a bad custom period falls back to
    this month, with the reason to show."""
    key = params.get("period", "this_month")
    if key not in dict(PERIOD_CHOICES):
        key = "this_month"
    try:
        return period_for(key, _date(params.get("from", "")), _date(params.get("to", ""))), ""
    except PeriodError as exc:
        return period_for("this_month"), str(exc)


class FigureSelection:
    page = ""  # the URL name of the figures page

    def __init__(self, request: Any) -> None:
        self.request = request
        self.node = self._node(request.GET.get("node", ""))
        self.period, self.period_error = period_from_query(request.GET)

    # -- what an app says -----------------------------------------------------------------------
    def nodes(self) -> QuerySet:
        """The territory nodes the user may ask figures for."""
        raise NotImplementedError

    def default_node(self) -> Any:
        raise NotImplementedError

    def extra_params(self) -> dict[str, str]:
        """The app's own parameters that links keep (after node and period)."""
        return {}

    def ancestors(self) -> QuerySet:
        """The ancestors of the node the breadcrumb shows (those the user may pick)."""
        return self.node.ancestors().visible_to(self.request.user)

    # -------------------------------------------------------------------------------------------
    def _node(self, value: str) -> Any:
        if value:
            try:
                return self.nodes().get(public_id=value)
            except (ObjectDoesNotExist, ValidationError, ValueError) as exc:
                raise Http404 from exc  # missing and out of scope alike
        node = self.default_node()
        if node is None:
            raise Http404
        return node

    def params(self, **changes: Any) -> dict[str, str]:
        params = {"node": str(self.node.public_id), "period": self.period.key}
        if self.period.key == "custom":
            params.update({"from": self.period.date_from.isoformat(), "to": self.period.date_to.isoformat()})
        params.update(self.extra_params())
        params.update({k: v for k, v in changes.items() if v is not None})
        return {k: v for k, v in params.items() if v != ""}

    def url(self, name: str = "", **changes: Any) -> str:
        return f"{reverse(name or self.page)}?{urlencode(self.params(**changes))}"

    def node_url(self, node: Any) -> str:
        """The same figures one level down (or up): the drill-down link."""
        return self.url(node=str(node.public_id))

    def breadcrumb(self) -> list[tuple[Any, str]]:
        return [(a, self.node_url(a)) for a in self.ancestors()]

    def period_links(self) -> list[tuple[str, Any, str]]:
        return [(k, label, self.url(period=k, **{"from": "", "to": ""})) for k, label in PERIOD_CHOICES]

    def filters(self) -> dict[str, str]:
        """The selection as the audit row of an export records it."""
        return {"node": self.node.name, "period": self.period.label}
