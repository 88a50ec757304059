"""POST requests.{json,xml}: a service request from an Open311 client becomes a case through
case_submit, the service every intake channel calls. This module reads and checks the spec's
fields and answers in the spec's shapes; case_submit does the rest.

Retries: the `Idempotency-Key` header names one report of one client. A retry with the same key
and the same fields answers 200 with the first answer and `Idempotent-Replayed: true` (also when
the two raced inside case_submit); the same key with different fields answers 422, so a second
report is never lost behind the first one's answer."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.cases.intake.reference import intake_reference
from dangjian.cases.intake.services import IdempotencyMismatch, case_submit, idempotent_replay
from dangjian.cases.models import Case, CaseCategory, CategoryAttribute, Channel
from dangjian.core.text import XML_INVALID_RE

from . import selectors, services
from .formats import errors, respond
from .inputs import field_error as _field_error
from .inputs import param as _param
from .inputs import parse_when as _parse_when
from .models import ApiClient

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_MAX = 64  # Case.idempotency_key's length
# What a retry may change without being another request: the key, and a jurisdiction_id that can
# only be the key's own.
FINGERPRINT_IGNORED = frozenset({"api_key", "jurisdiction_id"})
ATTRIBUTE_RE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
ADDRESS_MAX = 200
ATTRIBUTE_TEXT_MAX = 2000


def request_fingerprint(request: HttpRequest) -> str:
    """The SHA-256 of the posted fields (form and query string, in any order, blanks dropped)."""
    items = sorted(
        (name, value.strip())
        for source in (request.GET, request.POST)
        for name, values in source.lists()
        if name not in FINGERPRINT_IGNORED
        for value in values
        if value and value.strip()
    )
    return hashlib.sha256(json.dumps(items, ensure_ascii=False).encode()).hexdigest()


def _reporter_name(first: str, last: str) -> str:
    """Chinese names read family name first with no space; others as given."""
    if last and re.search(r"[\u4e00-\u9fff]", last + first):
        return f"{last}{first}"
    return f"{first} {last}".strip()


def _attribute_answers(request: HttpRequest) -> dict[str, list[str]]:
    """attribute[code]=v and attribute[code][]=v1&attribute[code][]=v2, blank values dropped."""
    answers: dict[str, list[str]] = {}
    for key, values in request.POST.lists():
        match = ATTRIBUTE_RE.match(key)
        if match:
            kept = [v.strip() for v in values if v and v.strip()]
            answers.setdefault(match.group(1), []).extend(kept)
    return answers


def _check_attributes(category: CaseCategory, answers: dict[str, list[str]]) -> tuple[dict[str, Any], list[str]]:
    """The answers to the category's questions, checked against its service definition.

    Codes the definition does not have are ignored, as a client may hold an older definition."""
    kept: dict[str, Any] = {}
    problems: list[str] = []
    Datatype = CategoryAttribute.Datatype
    for attr in selectors.ordered_attributes(category):
        name = f"attribute[{attr.code}]"
        given = answers.get(attr.code, [])
        if not given:
            if attr.required:
                problems.append(_field_error(name, _("「%(q)s」为必填项。") % {"q": attr.description}))
            continue
        keys = [str(v.get("key")) for v in attr.values or []]
        if attr.datatype == Datatype.MULTIVALUELIST:
            unknown = [v for v in given if v not in keys]
            if unknown:
                problems.append(
                    _field_error(
                        name,
                        _("「%(q)s」的选项「%(v)s」无效，可选 key：%(k)s。")
                        % {"q": attr.description, "v": "、".join(unknown)[:60], "k": "、".join(keys)},
                    )
                )
                continue
            kept[attr.code] = list(dict.fromkeys(given))
            continue
        if len(given) > 1:
            problems.append(_field_error(name, _("「%(q)s」只能有一个值。") % {"q": attr.description}))
            continue
        value = given[0]
        if attr.datatype == Datatype.SINGLEVALUELIST and value not in keys:
            problems.append(
                _field_error(
                    name,
                    _("「%(q)s」的选项「%(v)s」无效，可选 key：%(k)s。")
                    % {"q": attr.description, "v": value[:40], "k": "、".join(keys)},
                )
            )
            continue
        if attr.datatype == Datatype.NUMBER:
            try:
                float(value)
            except ValueError:
                problems.append(_field_error(name, _("「%(q)s」应为数字。") % {"q": attr.description}))
                continue
        if attr.datatype == Datatype.DATETIME:
            parsed = _parse_when(value)
            if parsed is None:
                problems.append(_field_error(name, _("「%(q)s」应为 ISO 8601 日期时间。") % {"q": attr.description}))
                continue
            value = timezone.localtime(parsed).isoformat(timespec="seconds")
        if len(value) > ATTRIBUTE_TEXT_MAX:
            problems.append(
                _field_error(name, _("「%(q)s」不能超过 %(n)s 字。") % {"q": attr.description, "n": ATTRIBUTE_TEXT_MAX})
            )
            continue
        kept[attr.code] = value
    return kept, problems


# What case_submit calls a field, in the words of the spec.
SUBMIT_FIELDS = {
    "category": "service_code",
    "description": "description",
    "lat": "lat/long",
    "area": "address_string",
    "grid": "address_id",
    "reporter_phone": "phone",
    "reporter_name": "first_name/last_name",
    "photos": "media_url",
    "attributes": "attribute",
    "idempotency_key": IDEMPOTENCY_HEADER,
}


def _submit_problems(exc: ValidationError) -> list[str]:
    if not hasattr(exc, "error_dict"):
        return [_field_error(_("请求"), m) for m in exc.messages]
    return [
        _field_error(SUBMIT_FIELDS.get(field, field), message)
        for field, messages_ in exc.message_dict.items()
        for message in messages_
    ]


def _created(fmt: str, case: Case) -> HttpResponse:
    """The spec's answer to a POST; a replay (case_submit marks it) says so in a header."""
    response = respond(
        fmt,
        "service_requests",
        [{"service_request_id": case.number, "service_notice": selectors.submit_notice(case), "account_id": None}],
    )
    if getattr(case, "replayed", False):
        response["Idempotent-Replayed"] = "true"
    return response


def create_request(request: HttpRequest, fmt: str) -> HttpResponse:
    client = services.client_for_key(_param(request, "api_key"))
    if client is None:
        return errors(
            fmt, 403, _field_error("api_key", _("缺少接口密钥，或密钥无效、已停用，不能提交。请向区级管理员申请密钥。"))
        )
    own = selectors.jurisdiction_id(client.district)
    jurisdiction = _param(request, "jurisdiction_id")
    if jurisdiction and jurisdiction != own:
        other = selectors.district_for_jurisdiction(jurisdiction)
        if other is None:
            return errors(
                fmt,
                404,
                _field_error(
                    "jurisdiction_id",
                    _("辖区「%(j)s」不存在；本密钥的辖区编号是 %(own)s。") % {"j": jurisdiction[:50], "own": own},
                ),
            )
        if other.pk != client.district_id:
            return errors(
                fmt,
                403,
                _field_error(
                    "jurisdiction_id",
                    _("本密钥属于「%(d)s」（%(own)s），不能向「%(o)s」提交。")
                    % {"d": client.district.name, "own": own, "o": other.name},
                ),
            )
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if len(key) > IDEMPOTENCY_MAX:
        return errors(
            fmt, 400, _field_error(IDEMPOTENCY_HEADER, _("长度不能超过 %(n)s 个字符。") % {"n": IDEMPOTENCY_MAX})
        )
    if XML_INVALID_RE.search(key):
        return errors(fmt, 400, _field_error(IDEMPOTENCY_HEADER, _("含有不可见的控制字符，请删除后重新提交。")))
    services.client_touch(client)
    fingerprint = request_fingerprint(request) if key else ""
    response = _register(request, fmt, client, key, fingerprint)
    if key and response.status_code != 200:
        # No replay check before the work: a retry that passes the checks clashes on the unique
        # key in case_submit and answers with the first case. A retry whose fields no longer pass
        # (its category retired since, say) is looked up here, so it still gets the first answer.
        try:
            existing = idempotent_replay(client, key, fingerprint)
        except IdempotencyMismatch as exc:
            return errors(fmt, 422, _submit_problems(exc))
        if existing is not None:
            return _created(fmt, existing)
    return response


def _register(request: HttpRequest, fmt: str, client: ApiClient, key: str, fingerprint: str) -> HttpResponse:
    """Check the spec's fields and hand them to case_submit; the answer, or the spec's error list."""
    code = _param(request, "service_code")
    if not code:
        return errors(fmt, 400, _field_error("service_code", _("必填：请提供事件类别编码（见 services 接口）。")))
    category = intake_reference().category(code)  # no query for a code seen before
    if category is None:
        return errors(fmt, 404, _field_error("service_code", _("没有编码为「%(c)s」的服务类别。") % {"c": code[:40]}))

    problems: list[str] = []
    place: dict[str, Any] = {"lat": None, "lng": None, "grid": None, "area": None}
    lat_raw, long_raw = _param(request, "lat"), _param(request, "long")
    address = _param(request, "address_string")
    address_id = _param(request, "address_id")
    if lat_raw or long_raw:
        if not (lat_raw and long_raw):
            missing = "long" if lat_raw else "lat"
            problems.append(_field_error(missing, _("lat 与 long 须同时提供。")))
        else:
            try:
                lat, lng = float(lat_raw), float(long_raw)
            except ValueError:
                problems.append(_field_error("lat/long", _("经纬度应为数字（WGS84 十进制度）。")))
            else:
                if not (-90 <= lat <= 90 and -180 <= lng <= 180):
                    problems.append(_field_error("lat/long", _("经纬度超出范围。")))
                place.update(lat=lat, lng=lng)
    if len(address) > ADDRESS_MAX:
        problems.append(_field_error("address_string", _("地址不能超过 %(n)s 字。") % {"n": ADDRESS_MAX}))
    if address_id:
        found = selectors.place_for_address_id(address_id, client.district)
        if found is None:
            problems.append(_field_error("address_id", _("本辖区没有该地址编号（应为楼栋或小区的编号）。")))
        else:
            address = address or found["address"]
            place.update(grid=found["grid"], area=found["area"])
            if place["lat"] is None:
                place.update(lat=found["lat"], lng=found["lng"])
    if not (lat_raw or long_raw or address or address_id):
        problems.append(_field_error(_("位置"), _("须提供 lat 与 long，或 address_string，或 address_id 之一。")))
    if address and place["lat"] is None and place["area"] is None:
        # A free-text address: place it by the estate it names, if any.
        estate = selectors.estate_in_address(address, client.district)
        if estate is not None:
            place.update(area=estate.community, lat=estate.lat, lng=estate.lng)
    attributes, attribute_problems = _check_attributes(category, _attribute_answers(request))
    problems += attribute_problems
    if problems:
        return errors(fmt, 400, problems)

    description = _param(request, "description") or _("（通过接口提交的「%(c)s」事件，未附描述）") % {
        "c": category.name
    }
    media_url = _param(request, "media_url")
    try:
        case = case_submit(
            actor=None,
            channel=Channel.API,
            category=category,
            description=description,
            lat=place["lat"],
            lng=place["lng"],
            address=address,
            grid=place["grid"],
            area=place["area"],
            # Personal data: only the name and phone the workflow needs; email, device and
            # account ids are not kept.
            reporter_name=_reporter_name(_param(request, "first_name"), _param(request, "last_name")),
            reporter_phone=_param(request, "phone"),
            attributes=attributes,
            media_urls=[media_url] if media_url else [],
            client=client,
            idempotency_key=key,
            idempotency_fingerprint=fingerprint,
            replay_checked=True,  # a retry is caught by the unique key (see create_request)
        )
    except IdempotencyMismatch as exc:  # lost the race to a different request with the same key
        return errors(fmt, 422, _submit_problems(exc))
    except ValidationError as exc:
        return errors(fmt, 400, _submit_problems(exc))
    return _created(fmt, case)
