"""Reads of the Open311 endpoint: services, service definitions and service requests.

Reading is public in GeoReport v2 (no key). What a request shows is chosen so that nothing
personal leaves: never the reporter's name or phone, never an uploaded photo (only a media_url a
client gave us), only the public steps' notes. Free text is masked (phone and ID numbers that
residents type into descriptions), points are rounded to about 100 m, and reports the resident
kept private are left out, except for a staff-grant key reading its own district."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Length
from django.db.models.lookups import Contains
from django.utils.translation import gettext as _

from dangjian.cases.models import (
    Case,
    CaseCategory,
    CaseLog,
    CasePhoto,
    CaseStatus,
    CategoryAttribute,
)
from dangjian.cases.workflow import CASE_FLOW, DONE_STATUSES, OPEN311_CLOSED
from dangjian.core.text import mask_personal_text, strip_xml_invalid
from dangjian.territory.models import Area, Building, Estate, Level

from .formats import w3_datetime
from .models import ApiClient

MAX_RESULTS = 1000  # the spec's default query limit
PUBLIC_PLACES = 3  # decimals of a point shown to the public: 0.001° is about 100 m here

DATATYPE_HINTS = {
    CategoryAttribute.Datatype.STRING: "单行文本",
    CategoryAttribute.Datatype.NUMBER: "数字，如 3 或 2.5",
    CategoryAttribute.Datatype.DATETIME: "ISO 8601 日期时间，如 2026-11-21T09:30:00+08:00",
    CategoryAttribute.Datatype.TEXT: "多行文本",
    CategoryAttribute.Datatype.SINGLEVALUELIST: "单选：提交所选项的 key",
    CategoryAttribute.Datatype.MULTIVALUELIST: "多选：每个所选项提交一次 attribute[code][]=key",
}
LIST_TYPES = (CategoryAttribute.Datatype.SINGLEVALUELIST, CategoryAttribute.Datatype.MULTIVALUELIST)


# --- jurisdictions --------------------------------------------------------------------


def jurisdiction_id(district: Area) -> str:
    """A district's jurisdiction_id: its GB/T 2260 code, or its public id when it has none."""
    return district.code or str(district.public_id)


def district_for_jurisdiction(value: str) -> Area | None:
    districts = Area.objects.filter(level=Level.DISTRICT)
    found = districts.filter(code=value).first()
    if found is None and len(value) == 36:
        found = districts.filter(public_id=value).first() if _is_uuid(value) else None
    return found


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def only_district() -> Area | None:
    """The deployment's district when it serves exactly one (jurisdiction_id is then optional)."""
    districts = list(Area.objects.filter(level=Level.DISTRICT).order_by("pk")[:2])
    return districts[0] if len(districts) == 1 else None


# --- services ---------------------------------------------------------------------------


def active_categories() -> QuerySet[CaseCategory]:
    return CaseCategory.objects.filter(is_active=True).order_by("sort", "code")


def service_rows() -> list[dict[str, Any]]:
    categories = active_categories().annotate(
        has_attributes=Exists(CategoryAttribute.objects.filter(category=OuterRef("pk")))
    )
    return [
        {
            "service_code": c.code,
            "service_name": c.name,
            "description": c.description or None,
            "metadata": c.has_attributes,
            "type": "realtime",
            "keywords": ", ".join(c.keywords.split()) or None,
            "group": c.group or None,
        }
        for c in categories
    ]


def category_for_code(code: str) -> CaseCategory | None:
    return active_categories().filter(code=code).prefetch_related("attributes").first()


def ordered_attributes(category: CaseCategory) -> list[CategoryAttribute]:
    return sorted(category.attributes.all(), key=lambda a: (a.order, a.pk))


def service_definition(category: CaseCategory) -> dict[str, Any]:
    attributes = []
    # The spec wants positive, distinct orders starting at 1; ours may repeat or start at 0.
    for position, attr in enumerate(ordered_attributes(category), start=1):
        values = attr.values if attr.datatype in LIST_TYPES else []
        attributes.append(
            {
                "variable": True,
                "code": attr.code,
                "datatype": attr.datatype,
                "required": attr.required,
                "datatype_description": DATATYPE_HINTS.get(attr.datatype),
                "order": position,
                "description": attr.description,
                "values": [{"key": str(v.get("key")), "name": str(v.get("name", v.get("key")))} for v in values or []],
            }
        )
    return {"service_code": category.code, "attributes": attributes}


# --- locations --------------------------------------------------------------------------


def place_for_address_id(value: str, district: Area) -> dict[str, Any] | None:
    """address_id is a building's or an estate's public id in our territory register."""
    if not _is_uuid(value):
        return None
    building = (
        Building.objects.select_related("estate", "community", "grid")
        .filter(public_id=value, community__path__startswith=district.path)
        .first()
    )
    if building is not None:
        estate = building.estate
        lat = building.lat if building.lat is not None else (estate.lat if estate else None)
        lng = building.lng if building.lng is not None else (estate.lng if estate else None)
        return {
            "grid": building.grid,
            "area": building.community,
            "lat": lat,
            "lng": lng,
            "address": f"{building.community.name}{estate.name if estate else ''}{building.name}",
        }
    estate = Estate.objects.select_related("community").filter(public_id=value).first()
    if estate is not None and estate.community.path.startswith(district.path):
        return {
            "grid": None,
            "area": estate.community,
            "lat": estate.lat,
            "lng": estate.lng,
            "address": estate.address or f"{estate.community.name}{estate.name}",
        }
    return None


def estate_in_address(address: str, district: Area) -> Estate | None:
    """The estate whose name the free-text address mentions (the longest name wins)."""
    if not address:
        return None
    return (
        Estate.objects.select_related("community")
        .filter(Contains(Value(address), F("name")), community__path__startswith=district.path)
        .order_by(Length("name").desc(), "pk")
        .first()
    )


# --- service requests -------------------------------------------------------------------


def requests_queryset() -> QuerySet[Case]:
    """Cases with what a request row needs, in a bounded number of queries."""
    latest_note = (
        CaseLog.objects.filter(case=OuterRef("pk"), public=True)
        .exclude(note="")
        .order_by("-at", "-pk")
        .values("note")[:1]
    )
    client_media = (
        CasePhoto.objects.filter(case=OuterRef("pk"), stage=CasePhoto.Stage.REPORT)
        .exclude(media_url="")
        .order_by("uploaded_at", "pk")
        .values("media_url")[:1]
    )
    return (
        Case.objects.select_related("category", "assigned_department", "assigned_unit", "community", "subdistrict")
        .only(
            "number",
            "status",
            "is_public",
            "district",
            "description",
            "address",
            "lat",
            "lng",
            "received_at",
            "updated_at",
            "closed_at",
            "deadline",
            "assignee_kind",
            "category__code",
            "category__name",
            "assigned_department__name",
            "assigned_unit__name",
            "community__name",
            "subdistrict__name",
        )
        .annotate(status_note=Subquery(latest_note), client_media_url=Subquery(client_media))
    )


def filter_requests(
    qs: QuerySet[Case],
    *,
    district: Area | None = None,
    numbers: list[str] | None = None,
    service_codes: list[str] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    statuses: list[str] | None = None,
) -> QuerySet[Case]:
    if district is not None:
        qs = qs.filter(district=district)
    if numbers:
        # The spec: service_request_id overrides every other argument.
        return qs.filter(number__in=numbers)
    if service_codes:
        qs = qs.filter(category__code__in=service_codes)
    if start is not None:
        qs = qs.filter(received_at__gte=start)
    if end is not None:
        qs = qs.filter(received_at__lte=end)
    if statuses and set(statuses) != {"open", "closed"}:
        done = Q(status__in=sorted(OPEN311_CLOSED))
        qs = qs.filter(done if statuses == ["closed"] else ~done)
    return qs.order_by("-received_at", "-pk")


def open311_status(case: Case) -> str:
    return CASE_FLOW.state(case.status).open311


def agency_responsible(case: Case) -> str | None:
    """Who handles it: the department, else the resident unit, else the community (or subdistrict)."""
    if case.assigned_department_id:
        return case.assigned_department.name
    if case.assigned_unit_id:
        return case.assigned_unit.name
    if case.community_id:
        return case.community.name
    if case.subdistrict_id:
        return case.subdistrict.name
    return None


def submit_notice(case: Case) -> str:
    """What a poster is told: it depends only on what does not change, so a retried POST gets the same body."""
    return _("已登记为「%(c)s」事件，编号 %(n)s。受理后按权责清单时限办理，可凭编号查询办理进度。") % {
        "c": case.category.name,
        "n": case.number,
    }


def status_notice(case: Case) -> str | None:
    if case.status in DONE_STATUSES:
        return None
    if case.status == CaseStatus.SUBMITTED:
        return _("已登记，等待受理。")
    if case.deadline is not None:
        return _("正在办理，办理期限 %(d)s。") % {"d": w3_datetime(case.deadline)}
    return _("正在办理。")


def reads_in_full(case: Case, client: ApiClient | None) -> bool:
    return client is not None and client.staff_grant and case.district_id == client.district_id


def _shown_text(value: str | None, *, full: bool) -> str | None:
    """Free text as a reader may see it (None when empty); what XML cannot carry never leaves."""
    if not value:
        return None
    value = strip_xml_invalid(value)
    return (value if full else mask_personal_text(value)) or None


def _shown_point(value: float | None, *, full: bool) -> float | None:
    return value if full or value is None else round(value, PUBLIC_PLACES)


def request_row(case: Case, *, full: bool = False) -> dict[str, Any]:
    """One service request; `full` (a staff-grant read of its own district) leaves text and point as kept."""
    done = case.status in DONE_STATUSES
    updated = case.closed_at if done and case.closed_at else case.updated_at
    return {
        "service_request_id": case.number,
        "status": open311_status(case),
        "status_notes": _shown_text(getattr(case, "status_note", None), full=full),
        "service_name": case.category.name,
        "service_code": case.category.code,
        "description": _shown_text(case.description, full=full),
        "agency_responsible": agency_responsible(case),
        "service_notice": status_notice(case),
        "requested_datetime": w3_datetime(case.received_at),
        "updated_datetime": w3_datetime(updated),
        "expected_datetime": w3_datetime(case.deadline),
        "address": _shown_text(case.address, full=full),
        "address_id": None,
        "zipcode": None,
        "lat": _shown_point(case.lat, full=full),
        "long": _shown_point(case.lng, full=full),
        "media_url": getattr(case, "client_media_url", None) or None,
    }


# --- API clients (the keys page) ------------------------------------------------------------


def clients_for(user: Any, *, query: str = "") -> QuerySet[ApiClient]:
    qs = ApiClient.objects.visible_to(user).select_related("district", "created_by")
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(key_prefix__startswith=query))
    return qs.order_by("-is_active", "name", "pk")
