"""WeChat subscribe messages (小程序订阅消息) or official-account template messages through the HTTP API.

Settings: WECHAT_APP_ID / WECHAT_APP_SECRET, WECHAT_MESSAGE_KIND ("subscribe" or "template"),
WECHAT_TEMPLATES (our template code → {"id": the WeChat template id, "fields": {param: WeChat key}}),
WECHAT_PAGE (the mini-program page or the link a message opens), WECHAT_API_BASE to point at another
host (a test's local stand-in, a proxy).

The access token is fetched with the app's secret and kept in the cache until shortly before it
expires; an answer saying it is invalid drops it, so the retry fetches a new one.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from django.conf import settings
from django.core.cache import cache

from . import Backend, DeliveryError

# -1 system busy; 40001/42001/40014 the token is invalid or expired (a fresh one will do); 45009 and
# 45011 the API's rate limits.
RETRYABLE_ERRCODES = {-1, 40001, 40014, 42001, 45009, 45011}
TOKEN_ERRCODES = {40001, 40014, 42001}
SEND_PATHS = {"subscribe": "/cgi-bin/message/subscribe/send", "template": "/cgi-bin/message/template/send"}


def _setting(name: str, default: Any = "") -> Any:
    return getattr(settings, name, default)


class WechatBackend(Backend):
    channel = "wechat"

    @property
    def base(self) -> str:
        return _setting("WECHAT_API_BASE", "https://api.weixin.qq.com").rstrip("/")

    def _token_key(self) -> str:
        return f"wechat:access_token:{_setting('WECHAT_APP_ID')}"

    def _call(self, path: str, *, query: dict[str, str], body: dict | None = None) -> dict:
        url = f"{self.base}{path}?{urllib.parse.urlencode(query)}"
        data = json.dumps(body, ensure_ascii=False).encode("utf-8") if body is not None else None
        request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=_setting("WECHAT_TIMEOUT", 10)) as response:
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            raise DeliveryError(f"微信接口 HTTP {exc.code}", retryable=exc.code >= 500 or exc.code == 429) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise DeliveryError(f"无法连接微信接口：{exc}"[:500], retryable=True) from exc
        except ValueError as exc:
            raise DeliveryError("微信接口返回了无法解析的内容", retryable=True) from exc

    def _check(self, answer: dict) -> None:
        errcode = int(answer.get("errcode") or 0)
        if errcode == 0:
            return
        if errcode in TOKEN_ERRCODES:
            cache.delete(self._token_key())
        reason = f"微信 errcode {errcode}: {answer.get('errmsg', '')}"[:500]
        raise DeliveryError(reason, retryable=errcode in RETRYABLE_ERRCODES)

    def access_token(self) -> str:
        token = cache.get(self._token_key())
        if token:
            return token
        answer = self._call(
            "/cgi-bin/token",
            query={
                "grant_type": "client_credential",
                "appid": _setting("WECHAT_APP_ID"),
                "secret": _setting("WECHAT_APP_SECRET"),
            },
        )
        self._check(answer)
        token = answer.get("access_token")
        if not token:
            raise DeliveryError("微信接口未返回 access_token", retryable=True)
        # Kept five minutes less than WeChat keeps it, so a send never carries one about to lapse.
        cache.set(self._token_key(), token, max(60, int(answer.get("expires_in") or 7200) - 300))
        return token

    def send(self, *, address: str, template: str, params: dict[str, str], text: str, idempotency_key: str) -> str:
        spec = (_setting("WECHAT_TEMPLATES", None) or {}).get(template)
        if not spec:
            raise DeliveryError(f"未配置微信模板「{template}」（WECHAT_TEMPLATES）", retryable=False)
        fields = spec.get("fields") or {name: name for name in params}
        kind = _setting("WECHAT_MESSAGE_KIND", "subscribe")
        body: dict[str, Any] = {
            "touser": address,
            "template_id": spec["id"],
            # A subscribe message's "thing" fields take at most 20 characters.
            "data": {fields.get(k, k): {"value": str(v)[:20]} for k, v in params.items()},
        }
        page = _setting("WECHAT_PAGE", "")
        if kind == "template":
            body["client_msg_id"] = idempotency_key[:64]  # WeChat drops a repeat with the same id
            if page:
                body["url"] = page
        elif page:
            body["page"] = page
        answer = self._call(SEND_PATHS[kind], query={"access_token": self.access_token()}, body=body)
        self._check(answer)
        return str(answer.get("msgid") or "")
