"""The conventions of the JSON API (/api/v1/) every app's router follows.

- Errors: one body for every refusal, `{"error": {"code": "...", "message": "中文说明", "fields": {...}}}`
  (400 bad request, 401 no or bad token, 403, 404 missing or out of scope alike, 409 stale or refused
  step, 422 invalid input); `install_error_handlers(api)` puts it on ninja's own errors too.
- Lists: `{"items": [...], "next": cursor | null, "count": n, "count_capped": bool}`, paged by
  `core.keyset` cursors (`?cursor=`, `?limit=` at most MAX_LIMIT), counted up to the keyset cap.
- Filters are query parameters, parsed by the same form or filter parser the page uses (`form_values`);
  `?ordering=` one of a list's allowed orderings (`ordering_of`).
- Steps of a declared workflow go through the step's declared form and service (`take_step`), as the
  desk's step dispatch does; creates carry `Idempotency-Key` (`api_idempotent`).

Generic: nothing here knows an app (core imports no other app).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer
from pydantic import BaseModel, ConfigDict

from .idempotency import idempotent
from .keyset import CappedCount, cursor_of, keyset_page
from .scoping import active_role
from .workflow import StaleObject, TransitionRefused

DEFAULT_LIMIT = 20
MAX_LIMIT = 100

T = TypeVar("T")


# -- the error body -------------------------------------------------------------------------------


class ApiError(Exception):
    """A refusal with its status, code, Chinese message and, for input, the message per field."""

    def __init__(self, status: int, code: str, message: str, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, dict(fields or {})


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, str] = {}


class ErrorOut(Schema):
    error: ErrorDetail


# What each documented refusal means (the OpenAPI document lists them on every operation).
ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class ChineseJSONRenderer(JSONRenderer):
    """Chinese stays readable in the body (not \\uXXXX)."""

    json_dumps_params = {"ensure_ascii": False}


def error_response(status: int, code: str, message: str, fields: Mapping[str, str] | None = None) -> JsonResponse:
    body = {"error": {"code": code, "message": str(message), "fields": {k: str(v) for k, v in (fields or {}).items()}}}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _joined(messages: Sequence[Any]) -> str:
    return " ".join(str(m) for m in messages)


def django_error_fields(exc: DjangoValidationError) -> dict[str, str]:
    """A service's ValidationError as {field: message} ("" for what concerns no one field)."""
    if hasattr(exc, "error_dict"):
        return {("" if k == "__all__" else k): _joined(v) for k, v in exc.message_dict.items()}
    return {}


# Pydantic's error types, said in Chinese (the rest: 取值不正确).
_PYDANTIC_MESSAGES = {
    "missing": "此项必填。",
    "int_parsing": "应为整数。",
    "int_type": "应为整数。",
    "float_parsing": "应为数字。",
    "float_type": "应为数字。",
    "bool_parsing": "应为 true 或 false。",
    "bool_type": "应为 true 或 false。",
    "string_type": "应为文本。",
    "string_too_long": "内容过长。",
    "string_too_short": "内容过短。",
    "too_long": "项目过多。",
    "greater_than_equal": "数值过小。",
    "less_than_equal": "数值过大。",
    "greater_than": "数值过小。",
    "less_than": "数值过大。",
    "date_parsing": "应为日期（YYYY-MM-DD）。",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）。",
    "datetime_parsing": "应为日期时间（ISO 8601）。",
    "datetime_from_date_parsing": "应为日期时间（ISO 8601）。",
    "uuid_parsing": "应为编号（UUID）。",
    "uuid_type": "应为编号（UUID）。",
    "json_invalid": "请求体不是有效的 JSON。",
    "model_attributes_type": "应为 JSON 对象。",
    "dict_type": "应为 JSON 对象。",
    "list_type": "应为列表。",
    "literal_error": "不是允许的取值。",
    "enum": "不是允许的取值。",
    "value_error": "取值不正确。",
}


def _pydantic_fields(errors: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for error in errors:
        loc = [str(part) for part in error.get("loc", ()) if part not in ("query", "path", "body", "payload")]
        name = ".".join(loc) or ""
        fields.setdefault(name, _(_PYDANTIC_MESSAGES.get(error.get("type", ""), "取值不正确。")))
    return fields


def install_error_handlers(api: Any) -> None:
    """Every refusal in the one body: ninja's own errors, 404s, services' ValidationErrors and the
    workflow engine's refusals."""

    @api.exception_handler(ApiError)
    def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return error_response(exc.status, exc.code, exc.message, exc.fields)

    @api.exception_handler(NinjaValidationError)
    def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return error_response(
            422, "invalid", _("请求参数不正确，请按 fields 修改后重试。"), _pydantic_fields(exc.errors)
        )

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = error_response(
            401, "unauthenticated", _("缺少或无效的接口令牌：请在请求头中携带 Authorization: Bearer <令牌>。")
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(AuthorizationError)
    @api.exception_handler(PermissionDenied)
    def _forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
        return error_response(403, "forbidden", _("当前身份无权进行此操作。"))

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        # Missing and out of scope alike, as on the pages.
        return error_response(404, "not_found", _("未找到该对象，或不在您的管辖范围内。"))

    @api.exception_handler(StaleObject)
    def _stale(request: HttpRequest, exc: StaleObject) -> HttpResponse:
        return error_response(409, "stale", _joined(exc.messages), django_error_fields(exc))

    @api.exception_handler(TransitionRefused)
    def _refused(request: HttpRequest, exc: TransitionRefused) -> HttpResponse:
        return error_response(409, "refused", _joined(exc.messages), django_error_fields(exc))

    @api.exception_handler(DjangoValidationError)
    def _django_invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return error_response(422, "invalid", _joined(exc.messages), django_error_fields(exc))

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        codes = {400: "bad_request", 405: "method_not_allowed", 429: "throttled"}
        return error_response(
            exc.status_code, codes.get(exc.status_code, "error"), _("请求无法处理：%(e)s") % {"e": exc}
        )


def require_role(user: Any, roles: Any) -> None:
    """As core.views.require_roles: a role that may not open the page gets 404, like an outsider."""
    if not (user.is_superuser or active_role(user) in roles):
        raise Http404


# -- forms, filters and steps ---------------------------------------------------------------------


def form_errors(form: Any) -> dict[str, str]:
    return {("" if k == "__all__" else k): _joined(v) for k, v in form.errors.items()}


def form_values(form: Any) -> dict[str, Any]:
    """A bound form's cleaned data, or ApiError 422 naming each wrong field (the page's own rules)."""
    if not form.is_valid():
        raise ApiError(422, "invalid", _("请求参数不正确，请按 fields 修改后重试。"), form_errors(form))
    return form.cleaned_data


def filter_values(form: Any) -> dict[str, Any]:
    """A list's filter form's values that are set (the page drops empty ones the same way)."""
    return {k: v for k, v in form_values(form).items() if v not in (None, "", False)}


def unknown_if_unset(params: Mapping[str, Any], parsed: Mapping[str, Any]) -> None:
    """ApiError 422 naming each filter given in `params` that the list's parser did not take (an unknown
    value, or an object missing or out of scope): a page silently shows everything instead."""
    wrong = {
        name: _("未知的取值，或不在您的管辖范围内。")
        for name, value in parsed.items()
        if params.get(name) and not value
    }
    if wrong:
        raise ApiError(422, "invalid", _("请求参数不正确，请按 fields 修改后重试。"), wrong)


def ordering_of(value: str | None, allowed: Mapping[str, Sequence[str]], default: str) -> tuple[str, Sequence[str]]:
    """(name, columns) of the `?ordering=` asked for, one of `allowed` (each an index the list has)."""
    name = value or default
    if name not in allowed:
        raise ApiError(
            422, "invalid", _("不支持的排序方式。"), {"ordering": _("可选：%(o)s") % {"o": "、".join(allowed)}}
        )
    return name, allowed[name]


def step_data(data: Mapping[str, Any] | None) -> dict[str, Any]:
    """A JSON step body as form data (lists stay lists: QueryDict-like getlist is not needed by forms
    bound to a plain dict; booleans as the form's checkbox expects)."""
    out: dict[str, Any] = {}
    for key, value in (data or {}).items():
        if isinstance(value, bool):
            if value:
                out[key] = "on"
        elif value is not None:
            out[key] = value if isinstance(value, str | list) else str(value)
    return out


class StepIn(BaseModel):
    """A step's body: the fields of the step's form on the page (note, reason, result, rating…) and the
    version of the object read before acting. A plain pydantic model: ninja's Schema drops extra keys."""

    model_config = ConfigDict(extra="allow")
    version: int


class StepOut(Schema):
    id: UUID
    status: str
    status_label: str
    version: int | None = None  # the version to send with the next step (None: the object keeps none)
    message: str


def step_answer(flow: Any, step: str, obj: Any) -> StepOut:
    """What a step answers: the object's new state and version, and the step's done message. Not the
    object itself: a step may take it out of the actor's scope (a dispatch to a department)."""
    return StepOut(
        id=obj.public_id,
        status=obj.status,
        status_label=str(flow.status_label(obj.status)),
        version=getattr(obj, "version", None),
        message=str(flow.steps[step].done_message),
    )


def created(schema: Schema) -> JsonResponse:
    """A create's 201 answer as a JsonResponse (what core.idempotency stores and replays)."""
    return JsonResponse(schema.model_dump(mode="json"), status=201, json_dumps_params={"ensure_ascii": False})


def take_step(flow: Any, step: str, *, form: Any, actor: Any, target: str, obj: Any) -> Any:
    """Take a declared workflow step as the desk does: the step's form (bound to the JSON body) checks
    the input and names the service's keyword arguments; the declared service takes the step, checking
    the version read (StaleObject: 409), the state and the party (TransitionRefused: 409)."""
    values = form_values(form)
    return flow.service(step)(actor=actor, version=values.get("version"), **{target: obj}, **form.service_kwargs())


# -- lists ----------------------------------------------------------------------------------------


class Page(Schema, Generic[T]):
    items: list[T]
    next: str | None = None
    count: int
    count_capped: bool = False


def clamp_limit(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        raise ApiError(422, "invalid", _("每页条数不正确。"), {"limit": _("应在 1 到 %(n)s 之间。") % {"n": MAX_LIMIT}})
    return limit


def page_body(rows: Sequence[Any], *, next_cursor: str | None, count: int, item: Callable[[Any], Any]) -> dict:
    capped = isinstance(count, CappedCount) and count.capped
    return {"items": [item(r) for r in rows], "next": next_cursor, "count": int(count), "count_capped": capped}


def keyset_body(
    parts: QuerySet | Sequence[QuerySet],
    ordering: Sequence[str],
    *,
    cursor: str | None,
    limit: int | None,
    item: Callable[[Any], Any] = lambda row: row,
    count: CappedCount | None = None,
    page_fn: Callable[..., Any] | None = None,
) -> dict:
    """One page of a list as the API's list body. `page_fn(after=, per_page=)`: the app's own page
    function (e.g. cases' case_page, which reads its scope's parts) instead of keyset_page over
    `parts`. A bad or stale cursor opens the first page, as on the pages."""
    per_page = clamp_limit(limit)
    if page_fn is not None:
        page = page_fn(after=cursor or None, per_page=per_page)
    else:
        page = keyset_page(parts, ordering, after=cursor or None, per_page=per_page, count=count)
    rows = page.object_list
    next_cursor = cursor_of(rows[-1], ordering) if rows and page.has_next else None
    return page_body(rows, next_cursor=next_cursor, count=page.count, item=item)


# -- idempotent creates ---------------------------------------------------------------------------


def api_idempotent(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """core.idempotency.idempotent for an API create (`Idempotency-Key` header): the view returns a
    2xx JsonResponse; a retry with the key gets the same answer; the idempotency layer's own
    refusals (a malformed key, a key used for another body) in the API's error body."""
    once = idempotent(view)

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = once(request, *args, **kwargs)
        if response.status_code == 400:
            return error_response(
                400, "idempotency_key", _("Idempotency-Key 格式不正确：应为 8 至 64 位字母、数字或 -_.: 。")
            )
        if response.status_code == 422:
            return error_response(
                409, "idempotency_conflict", _("这个 Idempotency-Key 已用于另一项不同的提交，本次未处理。")
            )
        return response

    # ninja reads the parameters' types from the signature, resolving names in the function's module:
    # resolve them here, where the view's module is known (a wrapper's globals are this module's).
    wrapper.__signature__ = inspect.signature(view, eval_str=True)  # type: ignore[attr-defined]
    wrapper.idempotent = True  # type: ignore[attr-defined]  # as core.idempotency marks a covered view
    return wrapper
