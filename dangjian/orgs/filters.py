"""The organization list's filters (orgs:list), as the cockpit's links carry them: ?area=<public id of a
node below the district in scope, a zone too>&kind=<a group of types>&current=on (not closed)&q= (name
or pinyin). The kinds are the cockpit's counters of "orgs.orgs" (orgs/facts.py), so a list filtered
like a figure holds the rows it counts. A value that does not hold is dropped with its error shown;
the other filters still apply."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import prefix_q
from dangjian.core.search import name_or_pinyin_q
from dangjian.territory.filters import PlaceFilterForm

from .facts import ORG_GROUPS, PARTY_ORGS
from .models import OrgType

T = OrgType


def _of_group(*groups: str) -> frozenset[str]:
    return frozenset(str(t) for t, group in ORG_GROUPS.items() if group in groups)


# kind → (label, the organization types it holds)
KINDS: dict[str, tuple[Any, frozenset[str]]] = {
    "party_org": (_("党组织（党委、党总支、党支部）"), _of_group(*PARTY_ORGS)),
    "committee": (_("党委"), _of_group("committees")),
    "general_branch": (_("党总支"), _of_group("general_branches")),
    "branch": (_("党支部（含联合、小区、临时党支部）"), _of_group("branches")),
    "estate_branch": (_("小区党支部"), frozenset({str(T.ESTATE_BRANCH)})),
    "joint_branch": (_("联合党支部"), frozenset({str(T.JOINT_BRANCH)})),
    "party_group": (_("党小组"), _of_group("party_groups")),
    "hub_household": (_("党员中心户"), _of_group("hub_households")),
}


KIND_CHOICES = [("", _("全部类型")), *((kind, label) for kind, (label, _types) in KINDS.items())]


class OrgListFilterForm(PlaceFilterForm):
    kind = forms.ChoiceField(label=_("类型"), choices=KIND_CHOICES, required=False)
    current = forms.BooleanField(label=_("不含已撤销"), required=False)
    q = forms.CharField(label=_("名称或拼音首字母"), max_length=50, required=False, strip=True)

    LIST_FILTERS = ("area", "kind", "current", "q")


def filter_q(*, area: Any = None, kind: str = "", current: bool = False, q: str = "") -> Q:
    """`area`: a node resolved in scope; an organization lies at its own area (`PartyOrg.area`)."""
    f = Q()
    if area is not None:
        f &= prefix_q("area__path", area.path)
    if kind in KINDS:
        f &= Q(org_type__in=sorted(KINDS[kind][1]))
    if current:
        f &= Q(closed_on__isnull=True)
    if q:
        f &= name_or_pinyin_q(q, full_pinyin=True)
    return f
