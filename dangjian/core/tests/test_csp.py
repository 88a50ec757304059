"""The Content-Security-Policy: every page forbids inline script and eval, and no template
needs either (no inline <script>, no on…= handler, no hx-on, no htmx event filter)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from dangjian.settings import _tile_source

TEMPLATES = sorted(Path(settings.BASE_DIR, "dangjian").rglob("templates/**/*.html"))


def directives(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


@pytest.mark.parametrize("signed_in", [False, True])
def test_it_sends_a_policy_that_forbids_inline_script_and_eval(client, world, signed_in):
    if signed_in:
        client.force_login(world.users.community_worker)
    response = client.get("/" if signed_in else "/accounts/login/")
    assert response.status_code == 200
    policy = directives(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert not {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'"} & set(policy["script-src"])


def test_it_allows_the_tile_server_of_the_configured_map(settings):
    assert _tile_source("https://t{s}.tianditu.gov.cn/DataServer?T=vec_w&x={x}&y={y}&l={z}") == [
        "https://*.tianditu.gov.cn"
    ]
    assert _tile_source("https://tile.example.org/{z}/{x}/{y}.png") == ["https://tile.example.org"]
    assert _tile_source("") == []  # no tiles: a plain background, nothing to allow
    assert settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"][: len(["'self'", "data:", "blob:"])] == [
        "'self'",
        "data:",
        "blob:",
    ]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"""\s(on[a-z]+|hx-on[:\w-]*)\s*=""", re.I)
EVENT_FILTER = re.compile(r"""hx-trigger="[^"]*\[""")


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_no_template_needs_inline_script_or_eval(path):
    text = path.read_text(encoding="utf-8")
    assert not INLINE_SCRIPT.search(text), f"{path}: 内联 <script> 会被内容安全策略拦截，请移到静态文件"
    assert not INLINE_HANDLER.search(text), f"{path}: 内联事件处理（on…= / hx-on）会被拦截，请改用静态脚本中的监听"
    assert not EVENT_FILTER.search(text), f"{path}: htmx 事件过滤条件需要 eval，请改用静态脚本触发"
