"""JSON and XML the way GeoReport v2 writes them.

The spec defines XML and derives JSON from it (the "Spark convention"): a list element such as
<services> holds one <service> per item and becomes a JSON array; null becomes an empty
element. So every response is built once as plain data and written in either format here."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse
from django.utils import timezone

from dangjian.core.text import strip_xml_invalid

FORMATS = ("json", "xml")
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# The element each item of a list is written in, by the list's element.
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def w3_datetime(value: datetime | None) -> str | None:
    """ISO 8601 as the W3C note has it, always with the offset (+08:00 here)."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    # A control character kept from before input was checked must not make the whole list unreadable.
    return strip_xml_invalid(str(value))


def _fill(element: ET.Element, value: Any) -> None:
    tag = element.tag
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item)
    elif isinstance(value, list | tuple):
        item_tag = ITEM_TAGS[tag]
        for item in value:
            _fill(ET.SubElement(element, item_tag), item)
    else:
        element.text = _text(value)


def to_xml(root: str, data: Any) -> bytes:
    element = ET.Element(root)
    _fill(element, data)
    return XML_DECLARATION + ET.tostring(element, encoding="unicode").encode()


def to_json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def respond(fmt: str, root: str, data: Any, *, status: int = 200) -> HttpResponse:
    """`data` written as `fmt`; `root` is the XML root element (a list's element for lists)."""
    body = to_xml(root, data) if fmt == "xml" else to_json(data)
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])
    # Responses depend on the query and change as cases move: clients and proxies re-ask.
    response["Cache-Control"] = "no-store"
    return response


def errors(fmt: str, status: int, descriptions: list[str] | str) -> HttpResponse:
    """The spec's error body: a list of {code, description}, code = the HTTP status."""
    if isinstance(descriptions, str):
        descriptions = [descriptions]
    return respond(fmt, "errors", [{"code": status, "description": d} for d in descriptions], status=status)
