"""The GeoReport v2 field lists, and checks of a response against them in JSON and in XML.

Each field is (name, type): str, int, bool, num (a number) and w3 (a W3C datetime with its
offset); a trailing ? allows null (JSON) or an empty element (XML); enum:a|b lists the values."""

from __future__ import annotations

import json
import re
from typing import Any
from xml.etree import ElementTree as ET

W3_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$")

SERVICE = [
    ("service_code", "str"),
    ("service_name", "str"),
    ("description", "str?"),
    ("metadata", "bool"),
    ("type", "enum:realtime|batch|blackbox"),
    ("keywords", "str?"),
    ("group", "str?"),
]
DEFINITION = [("service_code", "str"), ("attributes", "list:attribute")]
ATTRIBUTE = [
    ("variable", "bool"),
    ("code", "str"),
    ("datatype", "enum:string|number|datetime|text|singlevaluelist|multivaluelist"),
    ("required", "bool"),
    ("datatype_description", "str?"),
    ("order", "int"),
    ("description", "str"),
    ("values", "list:value"),
]
VALUE = [("key", "str"), ("name", "str")]
REQUEST = [
    ("service_request_id", "str"),
    ("status", "enum:open|closed"),
    ("status_notes", "str?"),
    ("service_name", "str"),
    ("service_code", "str"),
    ("description", "str?"),
    ("agency_responsible", "str?"),
    ("service_notice", "str?"),
    ("requested_datetime", "w3"),
    ("updated_datetime", "w3"),
    ("expected_datetime", "w3?"),
    ("address", "str?"),
    ("address_id", "str?"),
    ("zipcode", "str?"),
    ("lat", "num?"),
    ("long", "num?"),
    ("media_url", "str?"),
]
CREATED = [("service_request_id", "str"), ("service_notice", "str?"), ("account_id", "str?")]
TOKEN = [("service_request_id", "str"), ("token", "str")]
ERROR = [("code", "int"), ("description", "str")]
DISCOVERY = [
    ("changeset", "w3"),
    ("contact", "str"),
    ("key_service", "str"),
    ("endpoints", "list:endpoint"),
]
ENDPOINT = [
    ("specification", "str"),
    ("url", "str"),
    ("changeset", "w3"),
    ("type", "enum:production|test"),
    ("formats", "list:format"),
]
NESTED = {"attribute": ATTRIBUTE, "value": VALUE, "endpoint": ENDPOINT, "format": "str"}
# The list responses: XML root, item element, fields.
LISTS = {
    "services": ("services", "service", SERVICE),
    "requests": ("service_requests", "request", REQUEST),
    "created": ("service_requests", "request", CREATED),
    "token": ("service_requests", "request", TOKEN),
    "errors": ("errors", "error", ERROR),
}
OBJECTS = {"definition": ("service_definition", DEFINITION), "discovery": ("discovery", DISCOVERY)}


# --- JSON -------------------------------------------------------------------------------


def _json_value(path: str, kind: str, value: Any) -> None:
    if kind.endswith("?"):
        if value is None:
            return
        kind = kind[:-1]
    assert value is not None, f"{path} is null"
    if kind == "str":
        assert isinstance(value, str), f"{path}: {value!r} is not a string"
    elif kind == "int":
        assert isinstance(value, int) and not isinstance(value, bool), f"{path}: {value!r} is not an integer"
    elif kind == "bool":
        assert isinstance(value, bool), f"{path}: {value!r} is not a boolean"
    elif kind == "num":
        assert isinstance(value, int | float) and not isinstance(value, bool), f"{path}: {value!r} is not a number"
    elif kind == "w3":
        assert isinstance(value, str) and W3_RE.match(value), f"{path}: {value!r} is not a W3C datetime"
    elif kind.startswith("enum:"):
        assert value in kind[5:].split("|"), f"{path}: {value!r} not in {kind[5:]}"
    elif kind.startswith("list:"):
        assert isinstance(value, list), f"{path}: {value!r} is not a list"
        nested = NESTED[kind[5:]]
        for n, item in enumerate(value):
            if isinstance(nested, str):
                _json_value(f"{path}[{n}]", nested, item)
            else:
                _json_object(f"{path}[{n}]", nested, item)
    else:  # pragma: no cover - a typo in the tables above
        raise AssertionError(kind)


def _json_object(path: str, fields: list, item: Any) -> None:
    assert isinstance(item, dict), f"{path} is not an object"
    names = [name for name, _kind in fields]
    assert list(item) == names, f"{path}: keys {list(item)} != spec {names}"
    for name, kind in fields:
        _json_value(f"{path}.{name}", kind, item[name])


def check_json(kind: str, body: bytes) -> Any:
    """Parse a JSON body and check it is the spec's `kind`; returns the data."""
    data = json.loads(body.decode("utf-8"))
    if kind in LISTS:
        _root, _item, fields = LISTS[kind]
        assert isinstance(data, list), f"{kind}: the body is not a list"
        for n, item in enumerate(data):
            _json_object(f"{kind}[{n}]", fields, item)
    else:
        _json_object(kind, OBJECTS[kind][1], data)
    return data


# --- XML --------------------------------------------------------------------------------


def _xml_value(path: str, kind: str, element: ET.Element) -> Any:
    text = element.text
    children = list(element)
    if kind.startswith("list:"):
        item_tag = kind[5:]
        assert element.text is None or not element.text.strip(), f"{path}: text in a list element"
        nested = NESTED[item_tag]
        out = []
        for n, child in enumerate(children):
            assert child.tag == item_tag, f"{path}: <{child.tag}> where <{item_tag}> belongs"
            if isinstance(nested, str):
                out.append(_xml_value(f"{path}/{item_tag}[{n}]", nested, child))
            else:
                out.append(_xml_object(f"{path}/{item_tag}[{n}]", nested, child))
        return out
    assert not children, f"{path}: unexpected child elements"
    if kind.endswith("?"):
        if text is None or text == "":
            return None
        kind = kind[:-1]
    assert text is not None and text != "", f"{path} is empty"
    if kind == "str":
        return text
    if kind == "int":
        assert re.fullmatch(r"-?\d+", text), f"{path}: {text!r} is not an integer"
        return int(text)
    if kind == "bool":
        assert text in ("true", "false"), f"{path}: {text!r} is not true/false"
        return text == "true"
    if kind == "num":
        return float(text)
    if kind == "w3":
        assert W3_RE.match(text), f"{path}: {text!r} is not a W3C datetime"
        return text
    if kind.startswith("enum:"):
        assert text in kind[5:].split("|"), f"{path}: {text!r} not in {kind[5:]}"
        return text
    raise AssertionError(kind)  # pragma: no cover


def _xml_object(path: str, fields: list, element: ET.Element) -> dict[str, Any]:
    tags = [child.tag for child in element]
    names = [name for name, _kind in fields]
    assert tags == names, f"{path}: elements {tags} != spec {names}"
    return {name: _xml_value(f"{path}/{name}", kind, element.find(name)) for name, kind in fields}


def check_xml(kind: str, body: bytes) -> Any:
    """Parse an XML body (UTF-8, with the declaration) and check it is the spec's `kind`."""
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>'), body[:60]
    root = ET.fromstring(body)
    if kind in LISTS:
        root_tag, item_tag, fields = LISTS[kind]
        assert root.tag == root_tag, f"root <{root.tag}> != <{root_tag}>"
        out = []
        for n, child in enumerate(root):
            assert child.tag == item_tag, f"<{child.tag}> where <{item_tag}> belongs"
            out.append(_xml_object(f"{root_tag}/{item_tag}[{n}]", fields, child))
        return out
    root_tag, fields = OBJECTS[kind]
    assert root.tag == root_tag, f"root <{root.tag}> != <{root_tag}>"
    return _xml_object(root_tag, fields, root)


def check(kind: str, response: Any, fmt: str) -> Any:
    """Check a Django test response's content type and body against the spec."""
    expected = "application/json; charset=utf-8" if fmt == "json" else "text/xml; charset=utf-8"
    assert response["Content-Type"] == expected, response["Content-Type"]
    return check_json(kind, response.content) if fmt == "json" else check_xml(kind, response.content)
