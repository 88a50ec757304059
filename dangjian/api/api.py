"""The JSON API /api/v1/: one NinjaAPI assembling every app's router, token auth, the error body.

The OpenAPI 3 document is at /api/v1/openapi.json and the interactive docs at /api/v1/docs (ninja's
vendored Swagger UI: static files and a JSON settings block, no inline script, no CDN)."""

from __future__ import annotations

import importlib

from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI

from dangjian.core.api import ChineseJSONRenderer, install_error_handlers

from .auth import TokenAuth
from .figures import router as figures_router

# The apps whose api.py holds a router, in the document's order. Messages and notices are optional:
# their apps may not have one yet (the API then simply lacks those endpoints).
ROUTERS = (
    "dangjian.territory.api",
    "dangjian.orgs.api",
    "dangjian.people.api",
    "dangjian.units.api",
    "dangjian.cases.api",
    "dangjian.demands.api",
    "dangjian.centers.api",
    "dangjian.assessment.api",
)
OPTIONAL_ROUTERS = ("dangjian.notifications.api", "dangjian.notices.api")


def build_api() -> NinjaAPI:
    api = NinjaAPI(
        title="党建引领基层治理 数据接口",
        version="1",
        description=str(
            _(
                "所有接口按令牌所代表的身份限定范围（越权与不存在同样返回 404），个人信息与页面一样脱敏。"
                "列表返回 {items, next, count}：用 next 作为 cursor 翻页，limit 不超过 100。"
                "错误统一为 {error: {code, message, fields}}。"
            )
        ),
        urls_namespace="api-v1",
        auth=TokenAuth(),
        renderer=ChineseJSONRenderer(),
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    install_error_handlers(api)
    for module in ROUTERS:
        api.add_router("", importlib.import_module(module).router)
    for module in OPTIONAL_ROUTERS:
        try:
            router = importlib.import_module(module).router
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise  # a broken import inside the module is an error, not a missing router
            continue
        api.add_router("", router)
    api.add_router("", figures_router)
    return api


API = build_api()
