"""Open311 GeoReport v2 at /open311/v2/, and the district admin's page of API keys.

The API follows http://wiki.open311.org/GeoReport_v2 (see the module docstring of urls.py for what
this deployment decides where the spec leaves a choice). Every API answer is JSON or XML by the
extension; every error is the spec's error list with the HTTP status as its code.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from dangjian.accounts.roles import Role, active_assignment
from dangjian.cases.models import Case, CaseCategory, CategoryAttribute, Channel
from dangjian.core.views import client_ip, querystring_without_page, require_roles
from dangjian.territory.models import Area, Level

from . import selectors, services
from .formats import errors, respond
from .forms import ApiClientForm
from .models import ApiClient

DEFAULT_WINDOW = timedelta(days=90)  # the spec: default and widest date range
IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_MAX = 64  # Case.idempotency_key's length
ATTRIBUTE_RE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
UNENCODED_PLUS_RE = re.compile(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")
ADDRESS_MAX = 200
ATTRIBUTE_TEXT_MAX = 2000
CHANGESET = "2026-11-21 00:00"  # when the services list or the definitions' shape last changed
KEY_ROLES = frozenset({Role.DISTRICT_ADMIN})
PAGE_SIZE = 25
NEW_KEY_SESSION = "open311_new_key"


# --- helpers ------------------------------------------------------------------------------


def _field_error(field: str, message: str) -> str:
    """`field：message` — clients show the description to people, so it names what to fix."""
    return f"{field}：{message}"


def _method_not_allowed(fmt: str, allowed: list[str]) -> HttpResponse:
    response = errors(fmt, 405, _("不支持该请求方法，请使用 %(m)s。") % {"m": "、".join(allowed)})
    response["Allow"] = ", ".join(allowed)
    return response


def _param(request: HttpRequest, name: str) -> str:
    """A form field, else a query parameter (some clients put api_key in the URL). Empty = absent."""
    value = request.POST.get(name)
    if value is None or value == "":
        value = request.GET.get(name, "")
    return (value or "").strip()


def _split(value: str) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _read_jurisdiction(request: HttpRequest, fmt: str, *, required_when_many: bool) -> tuple[Area | None, Any]:
    """The district a read is limited to, or an error response."""
    value = request.GET.get("jurisdiction_id", "").strip()
    if value:
        district = selectors.district_for_jurisdiction(value)
        if district is None:
            return None, errors(
                fmt,
                404,
                _field_error("jurisdiction_id", _("辖区「%(j)s」不存在，请核对辖区编号。") % {"j": value[:50]}),
            )
        return district, None
    districts = list(Area.objects.filter(level=Level.DISTRICT).order_by("pk")[:2])
    if len(districts) > 1 and required_when_many:
        return None, errors(
            fmt, 400, _field_error("jurisdiction_id", _("本接口服务多个区，请提供辖区编号（区划代码）。"))
        )
    return (districts[0] if districts else None), None


def _parse_when(value: str) -> datetime | None:
    """A W3C datetime (2010-01-01T00:00:00Z, +08:00 offsets) or a date; naive ones are local time.

    A "+" a client forgot to percent-encode arrives as a space: "…T00:00:00 08:00" is read as +08:00."""
    value = UNENCODED_PLUS_RE.sub(r"\1+\2", value.strip())
    try:  # well-formed but impossible values (month 13) raise rather than return None
        parsed = parse_datetime(value)
        day = parse_date(value) if parsed is None else None
    except ValueError:
        return None
    if parsed is None:
        if day is None:
            return None
        parsed = datetime(day.year, day.month, day.day)
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _positive_int(value: str, default: int) -> int | None:
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        return None
    return number if number >= 1 else None


# --- discovery and services ---------------------------------------------------------------


@csrf_exempt
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method != "GET":
        return _method_not_allowed(fmt, ["GET"])
    base = request.build_absolute_uri(reverse("open311:discovery", args=["json"])).rsplit("/", 1)[0]
    data = {
        "changeset": CHANGESET,
        "contact": _("请联系所在区的区委组织部（区级管理员）获取帮助。"),
        "key_service": _("提交事件需要接口密钥：由区级管理员在工作台「接口密钥」页面签发，只显示一次。"),
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return respond(fmt, "discovery", data)


@csrf_exempt
def services_list(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method != "GET":
        return _method_not_allowed(fmt, ["GET"])
    _district, error = _read_jurisdiction(request, fmt, required_when_many=False)
    if error is not None:
        return error
    return respond(fmt, "services", selectors.service_rows())


@csrf_exempt
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    if request.method != "GET":
        return _method_not_allowed(fmt, ["GET"])
    _district, error = _read_jurisdiction(request, fmt, required_when_many=False)
    if error is not None:
        return error
    category = selectors.category_for_code(code)
    if category is None:
        return errors(fmt, 404, _field_error("service_code", _("没有编码为「%(c)s」的服务类别。") % {"c": code[:40]}))
    return respond(fmt, "service_definition", selectors.service_definition(category))


# --- service requests ---------------------------------------------------------------------


@csrf_exempt
def requests_endpoint(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create_request(request, fmt)
    if request.method == "GET":
        return _list_requests(request, fmt)
    return _method_not_allowed(fmt, ["GET", "POST"])


@csrf_exempt
def request_detail(request: HttpRequest, number: str, fmt: str) -> HttpResponse:
    if request.method != "GET":
        return _method_not_allowed(fmt, ["GET"])
    district, error = _read_jurisdiction(request, fmt, required_when_many=False)
    if error is not None:
        return error
    case = selectors.filter_requests(selectors.requests_queryset(), district=district, numbers=[number]).first()
    if case is None:
        return errors(
            fmt, 404, _field_error("service_request_id", _("没有编号为「%(n)s」的事件。") % {"n": number[:40]})
        )
    return respond(fmt, "service_requests", [selectors.request_row(case)])


def _list_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    district, error = _read_jurisdiction(request, fmt, required_when_many=True)
    if error is not None:
        return error
    problems: list[str] = []
    numbers = _split(request.GET.get("service_request_id", ""))
    codes = _split(request.GET.get("service_code", ""))
    statuses = sorted(set(_split(request.GET.get("status", "").lower())))
    bad_status = [s for s in statuses if s not in ("open", "closed")]
    if bad_status:
        problems.append(
            _field_error(
                "status", _("只能是 open 或 closed（可用逗号分隔），收到「%(s)s」。") % {"s": ",".join(bad_status)[:40]}
            )
        )
    start = end = None
    for name in ("start_date", "end_date"):
        raw = request.GET.get(name, "").strip()
        if not raw:
            continue
        parsed = _parse_when(raw)
        if parsed is None:
            problems.append(_field_error(name, _("日期时间格式不正确，应为 W3C 格式，如 2026-11-01T00:00:00+08:00。")))
        elif name == "start_date":
            start = parsed
        else:
            end = parsed
    page = _positive_int(request.GET.get("page", ""), 1)
    page_size = _positive_int(request.GET.get("page_size", ""), selectors.MAX_RESULTS)
    if page is None:
        problems.append(_field_error("page", _("页码应为正整数。")))
    if page_size is None or (page_size or 0) > selectors.MAX_RESULTS:
        problems.append(
            _field_error("page_size", _("每页条数应为 1 到 %(n)s 之间的整数。") % {"n": selectors.MAX_RESULTS})
        )
    if not numbers and not problems:
        # The spec: the range defaults to the most recent 90 days and may not span more.
        if start is None and end is None:
            end = timezone.now()
            start = end - DEFAULT_WINDOW
        elif start is None:
            start = end - DEFAULT_WINDOW
        elif end is None:
            end = start + DEFAULT_WINDOW
        if end < start:
            problems.append(_field_error("end_date", _("结束时间早于开始时间。")))
        elif end - start > DEFAULT_WINDOW:
            problems.append(_field_error("end_date", _("查询时间跨度不能超过 90 天。")))
    if problems:
        return errors(fmt, 400, problems)
    qs = selectors.filter_requests(
        selectors.requests_queryset(),
        district=district,
        numbers=numbers[: selectors.MAX_RESULTS],
        service_codes=codes,
        start=start,
        end=end,
        statuses=statuses,
    )
    offset = (page - 1) * page_size
    rows = [selectors.request_row(case) for case in qs[offset : offset + page_size]]
    return respond(fmt, "service_requests", rows)


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
}


def _submit_problems(exc: ValidationError) -> list[str]:
    if not hasattr(exc, "error_dict"):
        return [_field_error(_("请求"), m) for m in exc.messages]
    return [
        _field_error(SUBMIT_FIELDS.get(field, field), message)
        for field, messages_ in exc.message_dict.items()
        for message in messages_
    ]


def _created(fmt: str, case: Case, *, replayed: bool = False) -> HttpResponse:
    response = respond(
        fmt,
        "service_requests",
        [{"service_request_id": case.number, "service_notice": selectors.submit_notice(case), "account_id": None}],
    )
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def _create_request(request: HttpRequest, fmt: str) -> HttpResponse:
    from dangjian.cases.intake_services import case_submit

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
    services.client_touch(client)
    if key:
        existing = Case.objects.select_related("category").filter(client=client, idempotency_key=key).first()
        if existing is not None:
            return _created(fmt, existing, replayed=True)

    code = _param(request, "service_code")
    if not code:
        return errors(fmt, 400, _field_error("service_code", _("必填：请提供事件类别编码（见 services 接口）。")))
    category = selectors.category_for_code(code)
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
        )
    except ValidationError as exc:
        return errors(fmt, 400, _submit_problems(exc))
    except IntegrityError:  # pragma: no cover - case_submit answers a lost race with the winner's case
        existing = Case.objects.select_related("category").filter(client=client, idempotency_key=key).first()
        if not key or existing is None:
            raise
        case = existing
    return _created(fmt, case)


# --- the API keys page ----------------------------------------------------------------------


def _own_district(user: Any) -> Area | None:
    assignment = active_assignment(user)
    if assignment is not None and assignment.area is not None and assignment.area.level == Level.DISTRICT:
        return assignment.area
    return None


def _clients_page(request: HttpRequest, form: ApiClientForm, status: int = 200) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    clients = selectors.clients_for(request.user, query=query)
    page = Paginator(clients, PAGE_SIZE).get_page(request.GET.get("page"))
    district = _own_district(request.user)
    context = {
        "page": page,
        "q": query,
        "form": form,
        "querystring": querystring_without_page(request),
        "endpoint": request.build_absolute_uri(reverse("open311:services", args=["json"])).rsplit("/", 1)[0] + "/",
        "jurisdiction": selectors.jurisdiction_id(district) if district else "",
        "active_nav": "open311_clients",
    }
    return render(request, "open311/clients.html", context, status=status)


@require_roles(KEY_ROLES)
def clients(request: HttpRequest) -> HttpResponse:
    return _clients_page(request, ApiClientForm(user=request.user))


@require_roles(KEY_ROLES)
@require_POST
def client_create(request: HttpRequest) -> HttpResponse:
    form = ApiClientForm(request.POST, user=request.user)
    if form.is_valid():
        district = _own_district(request.user) or form.cleaned_data.get("district")
        try:
            client, raw = services.client_create(
                actor=request.user, name=form.cleaned_data["name"], district=district, ip=client_ip(request)
            )
        except ValidationError as exc:
            for field, problems in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            # Shown once on the next page, then gone from the session.
            request.session[NEW_KEY_SESSION] = {"client": str(client.public_id), "key": raw}
            return redirect("open311:client_created", public_id=client.public_id)
    return _clients_page(request, form, status=400)


@require_roles(KEY_ROLES)
def client_created(request: HttpRequest, public_id) -> HttpResponse:
    client = ApiClient.objects.select_related("district").get_for_user(request.user, public_id)
    stash = request.session.get(NEW_KEY_SESSION) or {}
    raw = None
    if stash.get("client") == str(client.public_id):
        raw = stash["key"]
        del request.session[NEW_KEY_SESSION]
    context = {
        "client": client,
        "raw_key": raw,
        "jurisdiction": selectors.jurisdiction_id(client.district),
        "active_nav": "open311_clients",
    }
    response = render(request, "open311/client_created.html", context)
    response["Cache-Control"] = "no-store"  # the key must not linger in a cache
    return response


@require_roles(KEY_ROLES)
def client_deactivate(request: HttpRequest, public_id) -> HttpResponse:
    client = ApiClient.objects.select_related("district").get_for_user(request.user, public_id)
    if request.method == "POST":
        try:
            services.client_deactivate(actor=request.user, client=client, ip=client_ip(request))
        except ValidationError as exc:
            messages.warning(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已停用「%(n)s」的密钥，此后用它提交将被拒绝。") % {"n": client.name})
        return redirect("open311:clients")
    return render(request, "open311/client_deactivate.html", {"client": client, "active_nav": "open311_clients"})
