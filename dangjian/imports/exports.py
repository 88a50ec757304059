"""Excel exports: the one helper every list's export uses. The column lists and export views live in
each app's `exports.py`, which registers them with dangjian.imports.registry.

`export_response` writes the rows the caller passes (a visible_to() queryset: the helper does
not widen or narrow scope) into a write-only workbook spooled to a temporary file, reading the
queryset with iterator() so memory stays flat, masks personal data unless full values are asked
for (by POST) and the role may see them, and records one 导出 audit row with the filters and
the row count.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from dangjian.accounts.roles import active_assignment
from dangjian.audit.services import Action, audit_record
from dangjian.core import excel
from dangjian.core.text import mask_mobile
from dangjian.core.validators import mask_citizen_id
from dangjian.core.views import client_ip

from .conf import setting
from .permissions import may_see_full_values

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MASKS: dict[str, Callable[[str], str]] = {"citizen_id": mask_citizen_id, "mobile": mask_mobile}


@dataclass(frozen=True)
class ExportColumn:
    header: Any  # str or a lazy translation
    value: Callable[[Any], Any]
    personal: str = ""  # "citizen_id" or "mobile": masked unless full values are allowed
    width: int = 14


class ExportTooLarge(Exception):
    def __init__(self, count: int):
        super().__init__(count)
        self.count = count


def wants_full_values(request: HttpRequest) -> bool:
    """Full values are asked for by POST (a deliberate step, like revealing one value)."""
    return request.method == "POST" and request.POST.get("full") == "1"


def _scope_path(user: Any) -> str:
    assignment = active_assignment(user)
    return assignment.area.path if assignment is not None and assignment.area is not None else ""


def export_response(
    *,
    request: HttpRequest,
    queryset_or_rows: QuerySet | Iterable[Any],
    columns: list[ExportColumn],
    filename: str,
    actor: Any,
    object_type: str,
    masked: bool = True,
    filters: dict[str, Any] | None = None,
    area_path: str | None = None,
) -> HttpResponseBase:
    """An .xlsx of `queryset_or_rows` (already scoped by the caller), audited as one export."""
    full = not masked and may_see_full_values(actor)
    rows: Iterable[Any]
    if isinstance(queryset_or_rows, QuerySet):
        total = queryset_or_rows.count()
        if total > setting("EXPORT_MAX_ROWS"):
            return render(
                request,
                "imports/export_too_large.html",
                {"count": total, "limit": setting("EXPORT_MAX_ROWS"), "active_nav": "imports"},
                status=400,
            )
        rows = queryset_or_rows.iterator(chunk_size=2000)
    else:
        rows = queryset_or_rows
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(filename[:31])
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    header = []
    for column in columns:
        cell = excel.cell(ws, str(column.header))
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    count = 0
    for obj in rows:
        values = []
        for column in columns:
            value = column.value(obj)
            if column.personal and not full:
                value = MASKS[column.personal](value or "")
            values.append(excel.cell(ws, value))
        ws.append(values)
        count += 1
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 - returned to the caller, closed by the response
    wb.save(out)
    out.seek(0)
    audit_record(
        actor=actor,
        action=Action.EXPORT,
        object_type=object_type,
        object_repr=_("导出%(what)s %(n)s 条") % {"what": filename, "n": count},
        changes={"filters": filters or {}, "rows": count, "masked": not full},
        area_path=_scope_path(actor) if area_path is None else area_path,
        ip=client_ip(request),
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return FileResponse(out, as_attachment=True, filename=f"{filename}-{stamp}.xlsx", content_type=XLSX)


# -- helpers for the apps' column lists --------------------------------------------------------------
def label(obj: Any, field: str) -> str:
    """A choice field's display label."""
    return str(getattr(obj, f"get_{field}_display")())


def name_of(obj: Any) -> str:
    return obj.name if obj is not None else ""


def date_text(value: Any) -> str:
    return value.isoformat() if value else ""
