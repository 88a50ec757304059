"""Printed records for the archive: a page rendered to a PDF in Chinese and the export written to the
audit log. WeasyPrint is imported on the call, so the app runs where pango is missing; there the
printable page itself is answered, for the browser's own print."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from .models import Action
from .services import audit_record


def printed_record(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    obj: models.Model,
    area_path: str,
    filename: str,
    changes: dict[str, list[Any]] | None = None,
) -> HttpResponse:
    """`template` rendered with `context` as `filename`.pdf (inline), the export audited against `obj`."""
    html = render_to_string(template, context)
    try:
        from weasyprint import HTML
    except (ImportError, OSError):
        return HttpResponse(html)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    audit_record(
        actor=request.user,
        action=Action.EXPORT,
        obj=obj,
        changes={"format": [None, "pdf"], **(changes or {})},
        area_path=area_path,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
    return response
