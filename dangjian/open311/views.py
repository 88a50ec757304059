"""Open311 GeoReport v2 at /open311/v2/, and the district admin's page of API keys.

The API follows http://wiki.open311.org/GeoReport_v2 (see the module docstring of urls.py for what
this deployment decides where the spec leaves a choice). Every API answer is JSON or XML by the
extension; every error is the spec's error list with the HTTP status as its code. POST requests
lives in posting.py; the guard every endpoint runs first, in inputs.py.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.accounts.roles import active_assignment
from dangjian.cases.models import Case
from dangjian.cases.permissions import API_KEY_ROLES
from dangjian.cases.selectors import open311_readable
from dangjian.core.text import XML_INVALID_RE
from dangjian.core.views import client_ip, querystring_without_page, require_roles
from dangjian.territory.models import Area, Level

from . import selectors, services
from .formats import errors, respond
from .forms import ApiClientForm
from .inputs import api_endpoint, field_error, param, parse_when, positive_int, split
from .models import ApiClient
from .posting import IDEMPOTENCY_MAX, create_request

DEFAULT_WINDOW = timedelta(days=90)  # the spec: default and widest date range
# When the services list or the definitions' shape last changed (a W3C datetime, as the spec has it).
CHANGESET = "2026-11-21T00:00:00+08:00"
PAGE_SIZE = 25
NEW_KEY_SESSION = "open311_new_key"


# --- helpers ------------------------------------------------------------------------------


def _read_jurisdiction(request: HttpRequest, fmt: str, *, required_when_many: bool) -> tuple[Area | None, Any]:
    """The district a read is limited to, or an error response."""
    value = request.GET.get("jurisdiction_id", "").strip()
    if value:
        district = selectors.district_for_jurisdiction(value)
        if district is None:
            return None, errors(
                fmt,
                404,
                field_error("jurisdiction_id", _("辖区「%(j)s」不存在，请核对辖区编号。") % {"j": value[:50]}),
            )
        return district, None
    districts = list(Area.objects.filter(level=Level.DISTRICT).order_by("pk")[:2])
    if len(districts) > 1 and required_when_many:
        return None, errors(
            fmt, 400, field_error("jurisdiction_id", _("本接口服务多个区，请提供辖区编号（区划代码）。"))
        )
    return (districts[0] if districts else None), None


def _reader(request: HttpRequest, fmt: str) -> tuple[ApiClient | None, HttpResponse | None]:
    """Who reads: anonymous (no api_key), or the key's client; an unknown key is refused rather than
    silently read as anonymous, so a staff system notices it lost its grant."""
    raw = param(request, "api_key")
    if not raw:
        return None, None
    client = services.client_for_key(raw)
    if client is None:
        return None, errors(
            fmt,
            403,
            field_error("api_key", _("密钥无效或已停用。查询无需密钥，去掉 api_key 即可匿名查询（个人信息已隐去）。")),
        )
    services.client_touch(client)
    return client, None


def _rows(request: HttpRequest, cases: list[Case], client: ApiClient | None) -> list[dict[str, Any]]:
    """The request rows a reader may see; a staff-grant read of unmasked rows leaves an audit row."""
    rows, full = [], []
    for case in cases:
        in_full = selectors.reads_in_full(case, client)
        rows.append(selectors.request_row(case, full=in_full))
        if in_full:
            full.append(case.number)
    if full and client is not None:
        services.client_read_full(client=client, numbers=full, ip=client_ip(request))
    return rows


# --- discovery and services ---------------------------------------------------------------


@api_endpoint("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
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


@api_endpoint("GET")
def services_list(request: HttpRequest, fmt: str) -> HttpResponse:
    _district, error = _read_jurisdiction(request, fmt, required_when_many=False)
    if error is not None:
        return error
    return respond(fmt, "services", selectors.service_rows())


@api_endpoint("GET")
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    _district, error = _read_jurisdiction(request, fmt, required_when_many=False)
    if error is not None:
        return error
    category = selectors.category_for_code(code)
    if category is None:
        return errors(fmt, 404, field_error("service_code", _("没有编码为「%(c)s」的服务类别。") % {"c": code[:40]}))
    return respond(fmt, "service_definition", selectors.service_definition(category))


# --- service requests ---------------------------------------------------------------------


@api_endpoint("GET", "POST")
def requests_endpoint(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return create_request(request, fmt)
    return _list_requests(request, fmt)


@api_endpoint("GET")
def request_detail(request: HttpRequest, number: str, fmt: str) -> HttpResponse:
    district, error = _read_jurisdiction(request, fmt, required_when_many=False)
    if error is not None:
        return error
    client, error = _reader(request, fmt)
    if error is not None:
        return error
    # A report kept private answers like a missing one: its number tells nothing.
    qs = open311_readable(selectors.requests_queryset(), client)
    case = selectors.filter_requests(qs, district=district, numbers=[number]).first()
    if case is None:
        return errors(
            fmt, 404, field_error("service_request_id", _("没有编号为「%(n)s」的事件。") % {"n": number[:40]})
        )
    return respond(fmt, "service_requests", _rows(request, [case], client))


@api_endpoint("GET")
def token_detail(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    """GET tokens/{token_id}: the service_request_id a token stands for.

    POST answers with service_request_id at once, so no token is ever handed out; the token a
    client holds is the Idempotency-Key it posted with, read with the same api_key. A client whose
    POST timed out learns this way whether the case exists, without posting again."""
    client = services.client_for_key(param(request, "api_key"))
    if client is None:
        return errors(
            fmt,
            403,
            field_error("api_key", _("查询令牌须带上提交时所用的接口密钥；令牌即提交时的 Idempotency-Key。")),
        )
    services.client_touch(client)
    number = (
        Case.objects.filter(client=client, idempotency_key=token).values_list("number", flat=True).first()
        if len(token) <= IDEMPOTENCY_MAX and not XML_INVALID_RE.search(token)  # PostgreSQL refuses NUL
        else None
    )
    if number is None:
        return errors(
            fmt,
            404,
            field_error(
                "token_id",
                _("本密钥没有以「%(t)s」为 Idempotency-Key 提交过事件（令牌即提交时的 Idempotency-Key）。")
                % {"t": token[:40]},
            ),
        )
    return respond(fmt, "service_requests", [{"service_request_id": number, "token": token}])


def _list_requests(request: HttpRequest, fmt: str) -> HttpResponse:
    district, error = _read_jurisdiction(request, fmt, required_when_many=True)
    if error is not None:
        return error
    client, error = _reader(request, fmt)
    if error is not None:
        return error
    problems: list[str] = []
    numbers = split(request.GET.get("service_request_id", ""))
    codes = split(request.GET.get("service_code", ""))
    statuses = sorted(set(split(request.GET.get("status", "").lower())))
    bad_status = [s for s in statuses if s not in ("open", "closed")]
    if bad_status:
        problems.append(
            field_error(
                "status", _("只能是 open 或 closed（可用逗号分隔），收到「%(s)s」。") % {"s": ",".join(bad_status)[:40]}
            )
        )
    start = end = None
    for name in ("start_date", "end_date"):
        raw = request.GET.get(name, "").strip()
        if not raw:
            continue
        parsed = parse_when(raw)
        if parsed is None:
            problems.append(field_error(name, _("日期时间格式不正确，应为 W3C 格式，如 2026-11-01T00:00:00+08:00。")))
        elif name == "start_date":
            start = parsed
        else:
            end = parsed
    page = positive_int(request.GET.get("page", ""), 1)
    page_size = positive_int(request.GET.get("page_size", ""), selectors.MAX_RESULTS)
    if page is None:
        problems.append(field_error("page", _("页码应为正整数。")))
    if page_size is None or (page_size or 0) > selectors.MAX_RESULTS:
        problems.append(
            field_error("page_size", _("每页条数应为 1 到 %(n)s 之间的整数。") % {"n": selectors.MAX_RESULTS})
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
            problems.append(field_error("end_date", _("结束时间早于开始时间。")))
        elif end - start > DEFAULT_WINDOW:
            problems.append(field_error("end_date", _("查询时间跨度不能超过 90 天。")))
    if problems:
        return errors(fmt, 400, problems)
    qs = selectors.filter_requests(
        open311_readable(selectors.requests_queryset(), client),
        district=district,
        numbers=numbers[: selectors.MAX_RESULTS],
        service_codes=codes,
        start=start,
        end=end,
        statuses=statuses,
    )
    offset = (page - 1) * page_size
    return respond(fmt, "service_requests", _rows(request, list(qs[offset : offset + page_size]), client))


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


@require_roles(API_KEY_ROLES)
def clients(request: HttpRequest) -> HttpResponse:
    return _clients_page(request, ApiClientForm(user=request.user))


@require_roles(API_KEY_ROLES)
@require_POST
def client_create(request: HttpRequest) -> HttpResponse:
    form = ApiClientForm(request.POST, user=request.user)
    if form.is_valid():
        district = _own_district(request.user) or form.cleaned_data.get("district")
        try:
            client, raw = services.client_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                district=district,
                staff_grant=form.cleaned_data["staff_grant"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            for field, problems in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            # Shown once on the next page, then gone from the session.
            request.session[NEW_KEY_SESSION] = {"client": str(client.public_id), "key": raw}
            return redirect("open311:client_created", public_id=client.public_id)
    return _clients_page(request, form, status=400)


@require_roles(API_KEY_ROLES)
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


@require_roles(API_KEY_ROLES)
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
