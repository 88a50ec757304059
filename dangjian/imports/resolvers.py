"""Names in an uploaded sheet resolved in bulk (one query per chunk of names, never one per row):
organizations, communities, estates, units — each only within the uploader's scope."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models
from django.utils.translation import gettext as _

from dangjian.core.scoping import Scope
from dangjian.core.tree import ancestor_paths
from dangjian.territory.models import Area, Estate, Level

from .rows import Problems
from .workbook import split_qualified

LOOKUP_CHUNK = 500


@dataclass
class Candidate:
    pk: int
    name: str
    anc_paths: list[str]  # ancestor paths whose names may qualify it, root first
    data: dict[str, Any] = field(default_factory=dict)
    label: str = ""


def chunked(items: Iterable[Any], size: int = LOOKUP_CHUNK) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _AnyOf(models.Lookup):
    """`column = ANY(%s)` with the values as one array parameter (PostgreSQL): one short query for
    100,000 values, where `IN (%s, %s, …)` needs a parameter (and, in chunks, a round trip) per value."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, Any]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, list(self.rhs)]


def lookup_chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    """Values to look up with `value_in`: all at once on PostgreSQL, LOOKUP_CHUNK at a time elsewhere
    (SQLite caps a statement's parameters)."""
    if connection.vendor == "postgresql":
        chunk = list(values)
        if chunk:
            yield chunk
        return
    yield from chunked(values)


def value_in(field: str, values: list[Any]) -> Any:
    """A filter: `field` is one of `values` (a chunk from `lookup_chunks`)."""
    if connection.vendor == "postgresql":
        return _AnyOf(models.F(field), values)
    return models.Q(**{f"{field}__in": values})


def _is_subsequence(needles: list[str], haystack: list[str]) -> bool:
    it = iter(haystack)
    return all(any(n == h for h in it) for n in needles)


class NameResolver:
    """Names (optionally qualified: '上级/名称') → one candidate in scope, or a Chinese error.

    `fetch(names)` returns the candidates in scope with those names (one query per chunk of
    names); ancestor names, needed only to qualify or to list same-named candidates, come from
    one more query on `ancestor_model`.
    """

    def __init__(self, *, fetch: Callable[[list[str]], Iterable[Candidate]], ancestor_model: type[models.Model], noun):
        self.fetch, self.ancestor_model, self.noun = fetch, ancestor_model, noun

    def resolve(self, values: Iterable[str]) -> dict[str, Candidate | str]:
        wanted = {value: split_qualified(value) for value in set(values) if value}
        by_name: dict[str, list[Candidate]] = defaultdict(list)
        for chunk in chunked(sorted({name for _q, name in wanted.values()})):
            for candidate in self.fetch(chunk):
                by_name[candidate.name].append(candidate)
        needs_ancestors = [
            c for value, (qualifiers, name) in wanted.items() for c in by_name.get(name, ()) if qualifiers
        ] + [c for cands in by_name.values() if len(cands) > 1 for c in cands]
        names = self._ancestor_names({p for c in needs_ancestors for p in c.anc_paths})
        out: dict[str, Candidate | str] = {}
        for value, (qualifiers, name) in wanted.items():
            candidates = by_name.get(name, [])
            if qualifiers:
                candidates = [
                    c for c in candidates if _is_subsequence(qualifiers, [names.get(p, "") for p in c.anc_paths])
                ]
            if len(candidates) == 1:
                out[value] = candidates[0]
            elif not candidates:
                out[value] = _("在您的管辖范围内未找到%(noun)s「%(v)s」。") % {"noun": self.noun, "v": value}
            else:
                shown = [self._label(c, names) for c in candidates[:5]]
                more = _("等 %(n)s 个") % {"n": len(candidates)} if len(candidates) > 5 else ""
                out[value] = _("%(noun)s「%(v)s」有重名：%(list)s%(more)s。请写成「上级名称/%(name)s」以区分。") % {
                    "noun": self.noun,
                    "v": value,
                    "list": "、".join(shown),
                    "more": more,
                    "name": name,
                }
        return out

    def _ancestor_names(self, paths: set[str]) -> dict[str, str]:
        names: dict[str, str] = {}
        for chunk in chunked(sorted(paths)):
            names.update(self.ancestor_model._default_manager.filter(path__in=chunk).values_list("path", "name"))
        return names

    @staticmethod
    def _label(candidate: Candidate, names: dict[str, str]) -> str:
        above = [names[p] for p in candidate.anc_paths[-2:] if p in names]
        return "/".join([*above, candidate.name])


def scoped(model: type[models.Model], scope: Scope) -> models.QuerySet:
    qs = model._default_manager.all()
    return qs if scope.everything else qs.filter(model.scope_q(scope))  # type: ignore[attr-defined]


def community_resolver(queryset: models.QuerySet) -> NameResolver:
    def fetch(names: list[str]) -> Iterable[Candidate]:
        for pk, name, path in queryset.filter(level=Level.COMMUNITY, name__in=names).values_list("pk", "name", "path"):
            yield Candidate(pk=pk, name=name, anc_paths=ancestor_paths(path), data={"path": path})

    return NameResolver(fetch=fetch, ancestor_model=Area, noun=_("社区"))


def estates_by_name(pairs: set[tuple[int, str]]) -> dict[tuple[int, str], int]:
    """(community id, estate name) → estate id, for the pairs that exist."""
    out: dict[tuple[int, str], int] = {}
    community_ids = sorted({c for c, _n in pairs})
    names = sorted({n for _c, n in pairs})
    for ids in chunked(community_ids):
        for names_chunk in chunked(names):
            rows = Estate.objects.filter(community_id__in=ids, name__in=names_chunk).values_list(
                "community_id", "name", "pk"
            )
            out.update({(c, n): pk for c, n, pk in rows})
    return out


def apply_resolved(
    problems: Problems, row: dict[str, Any], key: str, resolved: dict[str, Candidate | str]
) -> Candidate | None:
    value = row.get(key)
    if not value or row.get(f"{key}_kept"):
        return None
    found = resolved.get(value)
    if isinstance(found, Candidate):
        return found
    problems.add(row["_row"], key, value, str(found))
    return None
