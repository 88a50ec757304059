"""What intake reads on every submit and people change rarely, kept in the process.

An Open311 POST (or any submit) needs the API key's client, the category and its questions, the
district's number prefix and the duty-list item of the category in the subdistrict. Each was a
query per submit; they change a few times a year. Here they live in a per-thread copy tied to the
version token `intake` (territory.gridcache.VersionedCopy, as the grid index): every write of an
API client, a category or its questions, a district's case policy, a duty item (and its
categories) or a department bumps the token in its transaction (signals below; the writes that
skip signals call `intake_reference_changed()` themselves), so

- the writing process sees the edit at once (inside its transaction too);
- another process sees it at its next token check, every INTAKE_REFERENCE_CHECK_SECONDS (else
  GRID_INDEX_CHECK_SECONDS, default 5), or at once with REDIS_URL (the change is published);
- whatever changed without a signal (a data migration, a raw UPDATE) is seen within
  MAX_AGE_SECONDS: a copy is rebuilt at least that often.

The copy fills lazily: a token change starts an empty one, each entry is read on first use. Only
what exists is kept (an unknown key or code is asked of the database each time), so a client
sending random keys cannot grow it.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.db.models.signals import m2m_changed, post_delete, post_save

from dangjian.open311.models import ApiClient, hash_key
from dangjian.territory.gridcache import VersionedCopy

from ..models import CaseCategory, CasePolicy, CategoryAttribute, DutyItem

INTAKE_VERSION = "intake"
# A copy older than this is rebuilt even when the token did not move (writes without a signal).
MAX_AGE_SECONDS = 60.0


class IntakeReference:
    """One thread's lazily filled copy (see the module docstring)."""

    def __init__(self) -> None:
        self.built_at = time.monotonic()
        self._clients: dict[str, ApiClient] = {}
        self._categories: dict[str, CaseCategory] = {}
        self._prefixes: dict[int, str] = {}
        self._duty: dict[int, dict[int, DutyItem]] = {}

    def client(self, raw_key: str) -> ApiClient | None:
        """The active client holding `raw_key`, its district loaded; None when unknown or stopped."""
        raw_key = (raw_key or "").strip()
        if not raw_key:
            return None
        digest = hash_key(raw_key)
        found = self._clients.get(digest)
        if found is None:
            found = ApiClient.objects.select_related("district").filter(key_hash=digest, is_active=True).first()
            if found is not None:
                self._clients[digest] = found
        return found

    def category(self, code: str) -> CaseCategory | None:
        """The active category of `code`, its questions prefetched."""
        found = self._categories.get(code)
        if found is None:
            found = CaseCategory.objects.filter(is_active=True, code=code).prefetch_related("attributes").first()
            if found is not None:
                self._categories[code] = found
        return found

    def number_prefix(self, district_id: int) -> str:
        """The district's case number prefix (its CasePolicy, else the default)."""
        prefix = self._prefixes.get(district_id)
        if prefix is None:
            policy = CasePolicy.objects.filter(district_id=district_id).only("number_prefix").first()
            prefix = (policy or CasePolicy(district_id=district_id)).number_prefix
            self._prefixes[district_id] = prefix
        return prefix

    def duty_item(self, subdistrict_id: int | None, category: CaseCategory) -> DutyItem | None:
        """The first item of the subdistrict's duty list that covers the category (lead department loaded)."""
        if subdistrict_id is None:
            return None
        by_category = self._duty.get(subdistrict_id)
        if by_category is None:
            by_category = self._duty[subdistrict_id] = self._duty_list(subdistrict_id)
        return by_category.get(category.pk)

    @staticmethod
    def _duty_list(subdistrict_id: int) -> dict[int, DutyItem]:
        """The subdistrict's whole duty list as {category pk: first item covering it} (two queries)."""
        items = {
            item.pk: item
            for item in DutyItem.objects.filter(subdistrict_id=subdistrict_id)
            .select_related("lead_department")
            .order_by("sort", "pk")
        }
        rank = {pk: n for n, pk in enumerate(items)}
        links = DutyItem.categories.through.objects.filter(dutyitem_id__in=list(items)).values_list(
            "dutyitem_id", "casecategory_id"
        )
        first: dict[int, DutyItem] = {}
        for item_id, category_id in sorted(links, key=lambda link: rank[link[0]]):
            first.setdefault(category_id, items[item_id])
        return first


class _IntakeCopy(VersionedCopy[IntakeReference]):
    def _check_seconds(self) -> float:
        fallback = getattr(settings, "GRID_INDEX_CHECK_SECONDS", 5)
        return float(getattr(settings, "INTAKE_REFERENCE_CHECK_SECONDS", fallback))

    def _current(self, local: Any, token: str | None) -> IntakeReference:
        value = getattr(local, "value", None)
        if value is not None and time.monotonic() - value.built_at >= MAX_AGE_SECONDS:
            del local.value
        return super()._current(local, token)


intake_copy = _IntakeCopy(INTAKE_VERSION, IntakeReference, check_seconds_setting="INTAKE_REFERENCE_CHECK_SECONDS")


def intake_reference() -> IntakeReference:
    """This thread's copy; no query unless the token is due for a check or an entry is new."""
    return intake_copy.get()


def intake_reference_changed() -> None:
    """Call in the transaction of a write intake reads (the signals below do for ORM saves and deletes)."""
    from dangjian.core.models import bump_version

    bump_version(INTAKE_VERSION)
    intake_copy.changed()


def _on_write(sender: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):  # loaddata: the fixture's rows, before any process reads them
        return
    intake_reference_changed()


def _on_m2m(sender: Any, action: str, **kwargs: Any) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        intake_reference_changed()


def connect() -> None:
    """Called once from Open311Config.ready (every process, before any request)."""
    from dangjian.units.models import Department

    for model in (ApiClient, CaseCategory, CategoryAttribute, CasePolicy, DutyItem, Department):
        label = model._meta.label_lower
        post_save.connect(_on_write, sender=model, dispatch_uid=f"intake.reference.save.{label}")
        post_delete.connect(_on_write, sender=model, dispatch_uid=f"intake.reference.delete.{label}")
    m2m_changed.connect(_on_m2m, sender=DutyItem.categories.through, dispatch_uid="intake.reference.duty.categories")
