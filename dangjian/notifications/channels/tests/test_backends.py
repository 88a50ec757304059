import pytest
from django.core.cache import cache

from dangjian.notifications import channels
from dangjian.notifications.channels import DeliveryError, backend
from dangjian.notifications.channels.console import ConsoleSmsBackend, read_outbox
from dangjian.notifications.channels.tencent import TencentSmsBackend
from dangjian.notifications.channels.wechat import WechatBackend

from .fake_provider import FakeProvider

SEND = {"template": "verify_code", "params": {"code": "123456", "minutes": "5"}, "text": "验证码 123456"}


@pytest.fixture(autouse=True)
def _fresh(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    channels._backend.cache_clear()
    cache.clear()
    yield
    channels._backend.cache_clear()


def test_it_defaults_to_the_console_backends(settings):
    settings.NOTIFY_BACKENDS = {}
    assert backend("sms").channel == "sms"
    assert backend("wechat").channel == "wechat"
    with pytest.raises(ValueError):
        backend("fax")


def test_it_refuses_a_setting_naming_the_wrong_channel(settings):
    settings.NOTIFY_BACKENDS = {"wechat": "dangjian.notifications.channels.console.ConsoleSmsBackend"}
    with pytest.raises(ValueError):
        backend("wechat")


def test_it_finds_the_address_of_each_channel():
    class Person:
        mobile, wechat_openid = "13800000008", None

    assert backend("sms").address(Person()) == "13800000008"
    assert backend("wechat").address(Person()) is None


def test_the_console_backend_prints_and_appends_to_the_outbox(capsys):
    first = ConsoleSmsBackend().send(address="13800000008", idempotency_key="k1", **SEND)
    second = ConsoleSmsBackend().send(address="13900000009", idempotency_key="k2", **SEND)
    assert first != second
    assert "13800000008" in capsys.readouterr().out
    box = read_outbox()
    assert [m["address"] for m in box] == ["13800000008", "13900000009"]
    assert box[0]["params"]["code"] == "123456" and box[0]["idempotency_key"] == "k1"


# --- Tencent Cloud SMS, through the real SDK against a local stand-in --------------------------


def tencent_settings(settings, provider):
    settings.TENCENT_SMS_SCHEME = "http"
    settings.TENCENT_SMS_ENDPOINT = provider.host
    settings.TENCENT_SMS_SECRET_ID, settings.TENCENT_SMS_SECRET_KEY = "AKIDtest", "secret"
    settings.TENCENT_SMS_APP_ID, settings.TENCENT_SMS_SIGN = "1400000000", "香洲党建"
    settings.TENCENT_SMS_TEMPLATES = {"verify_code": "2000001"}
    settings.NOTIFY_BACKENDS = {"sms": "dangjian.notifications.channels.tencent.TencentSmsBackend"}


def sms_status(code="Ok", message="send success"):
    status = {"SerialNo": "2028:abc", "PhoneNumber": "+8613800000008", "Fee": 1, "SessionContext": "k"}
    return 200, {"Response": {"SendStatusSet": [{**status, "Code": code, "Message": message}], "RequestId": "r1"}}


def test_tencent_sends_through_the_sdk(settings):
    with FakeProvider(lambda path, headers, body: sms_status()) as provider:
        tencent_settings(settings, provider)
        sent = backend("sms").send(address="13800000008", idempotency_key="delivery-7", **SEND)
    assert isinstance(backend("sms"), TencentSmsBackend)
    assert sent == "2028:abc"
    (request,) = provider.requests
    assert request["headers"]["X-TC-Action"] == "SendSms"
    assert request["headers"]["Authorization"].startswith("TC3-HMAC-SHA256 Credential=AKIDtest/")
    assert request["body"]["PhoneNumberSet"] == ["+8613800000008"]
    assert request["body"]["TemplateId"] == "2000001" and request["body"]["SignName"] == "香洲党建"
    assert request["body"]["TemplateParamSet"] == ["123456", "5"]
    assert request["body"]["SessionContext"] == "delivery-7"


def test_tencent_a_provider_error_is_retryable(settings):
    error = {"Response": {"Error": {"Code": "InternalError.Timeout", "Message": "超时"}, "RequestId": "r2"}}
    with FakeProvider(lambda *a: (200, error)) as provider:
        tencent_settings(settings, provider)
        with pytest.raises(DeliveryError) as caught:
            backend("sms").send(address="13800000008", idempotency_key="k", **SEND)
    assert caught.value.retryable and "InternalError.Timeout" in caught.value.reason


def test_tencent_an_http_5xx_is_retryable(settings):
    with FakeProvider(lambda *a: (502, {"message": "bad gateway"})) as provider:
        tencent_settings(settings, provider)
        with pytest.raises(DeliveryError) as caught:
            backend("sms").send(address="13800000008", idempotency_key="k", **SEND)
    assert caught.value.retryable


def test_tencent_a_refused_number_is_permanent(settings):
    answer = sms_status("InvalidParameterValue.IncorrectPhoneNumber", "手机号格式错误")
    with FakeProvider(lambda *a: answer) as provider:
        tencent_settings(settings, provider)
        with pytest.raises(DeliveryError) as caught:
            backend("sms").send(address="13800000008", idempotency_key="k", **SEND)
    assert not caught.value.retryable and "IncorrectPhoneNumber" in caught.value.reason


def test_tencent_an_unconfigured_template_is_permanent(settings):
    with FakeProvider(lambda *a: sms_status()) as provider:
        tencent_settings(settings, provider)
        settings.TENCENT_SMS_TEMPLATES = {}
        with pytest.raises(DeliveryError) as caught:
            backend("sms").send(address="13800000008", idempotency_key="k", **SEND)
    assert not caught.value.retryable and provider.requests == []


# --- WeChat subscribe / template messages over HTTP --------------------------------------------


def wechat_settings(settings, provider, kind="subscribe"):
    settings.WECHAT_API_BASE = f"http://{provider.host}"
    settings.WECHAT_APP_ID, settings.WECHAT_APP_SECRET = "wx123", "s3cret"
    settings.WECHAT_MESSAGE_KIND = kind
    settings.WECHAT_TEMPLATES = {"verify_code": {"id": "TPL-1", "fields": {"code": "number1", "minutes": "thing2"}}}
    settings.NOTIFY_BACKENDS = {"wechat": "dangjian.notifications.channels.wechat.WechatBackend"}


class WechatScript:
    """Answers the token call, then the sends in order from `sends`."""

    def __init__(self, *sends):
        self.sends, self.tokens = list(sends), 0

    def __call__(self, path, headers, body):
        if path.startswith("/cgi-bin/token"):
            self.tokens += 1
            return 200, {"access_token": f"TOKEN{self.tokens}", "expires_in": 7200}
        return self.sends.pop(0)


def test_wechat_fetches_a_token_once_and_sends(settings):
    script = WechatScript((200, {"errcode": 0, "errmsg": "ok", "msgid": 42}), (200, {"errcode": 0, "msgid": 43}))
    with FakeProvider(script) as provider:
        wechat_settings(settings, provider)
        first = backend("wechat").send(address="oOPENID", idempotency_key="k1", **SEND)
        second = backend("wechat").send(address="oOPENID", idempotency_key="k2", **SEND)
    assert isinstance(backend("wechat"), WechatBackend)
    assert (first, second) == ("42", "43") and script.tokens == 1
    token_call, send_call, _ = provider.requests
    assert "appid=wx123" in token_call["path"] and "secret=s3cret" in token_call["path"]
    assert send_call["path"] == "/cgi-bin/message/subscribe/send?access_token=TOKEN1"
    assert send_call["body"]["touser"] == "oOPENID" and send_call["body"]["template_id"] == "TPL-1"
    assert send_call["body"]["data"] == {"number1": {"value": "123456"}, "thing2": {"value": "5"}}


def test_wechat_template_messages_carry_the_idempotency_key(settings):
    with FakeProvider(WechatScript((200, {"errcode": 0, "msgid": 7}))) as provider:
        wechat_settings(settings, provider, kind="template")
        backend("wechat").send(address="oOPENID", idempotency_key="delivery-9", **SEND)
    assert provider.requests[1]["path"].startswith("/cgi-bin/message/template/send")
    assert provider.requests[1]["body"]["client_msg_id"] == "delivery-9"


def test_wechat_an_expired_token_is_retryable_and_dropped(settings):
    script = WechatScript((200, {"errcode": 40001, "errmsg": "invalid credential"}), (200, {"errcode": 0, "msgid": 8}))
    with FakeProvider(script) as provider:
        wechat_settings(settings, provider)
        with pytest.raises(DeliveryError) as caught:
            backend("wechat").send(address="oOPENID", idempotency_key="k", **SEND)
        assert caught.value.retryable and "40001" in caught.value.reason
        # The retry fetches a fresh token instead of reusing the dead one.
        assert backend("wechat").send(address="oOPENID", idempotency_key="k", **SEND) == "8"
    assert script.tokens == 2 and provider.requests[-1]["path"].endswith("access_token=TOKEN2")


@pytest.mark.parametrize(
    ("answer", "retryable"),
    [
        ((200, {"errcode": -1, "errmsg": "system busy"}), True),
        ((503, {}), True),
        ((200, {"errcode": 43101, "errmsg": "user refuse"}), False),
        ((200, {"errcode": 40003, "errmsg": "invalid openid"}), False),
    ],
)
def test_wechat_maps_errors_to_retryable_or_permanent(settings, answer, retryable):
    with FakeProvider(WechatScript(answer)) as provider:
        wechat_settings(settings, provider)
        with pytest.raises(DeliveryError) as caught:
            backend("wechat").send(address="oOPENID", idempotency_key="k", **SEND)
    assert caught.value.retryable is retryable


def test_wechat_an_unreachable_host_is_retryable(settings):
    settings.WECHAT_API_BASE = "http://127.0.0.1:9"  # discard port: nothing listens
    settings.WECHAT_TEMPLATES = {"verify_code": {"id": "TPL-1"}}
    with pytest.raises(DeliveryError) as caught:
        WechatBackend().send(address="oOPENID", idempotency_key="k", **SEND)
    assert caught.value.retryable
