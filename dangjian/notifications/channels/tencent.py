"""SMS through Tencent Cloud (短信 SendSms, API 2021-01-11) with its official SDK.

Settings (from the environment, see settings): TENCENT_SMS_SECRET_ID / _SECRET_KEY, TENCENT_SMS_APP_ID
(SmsSdkAppId), TENCENT_SMS_SIGN (the approved signature), TENCENT_SMS_TEMPLATES (our template code →
the approved template id), TENCENT_SMS_REGION, and TENCENT_SMS_ENDPOINT / TENCENT_SMS_SCHEME to point
the SDK elsewhere (a test's local stand-in, a private gateway).

A template's parameters are filled in the order the caller's `params` dict lists them ({1}, {2}, …).
"""

from __future__ import annotations

from django.conf import settings
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111 import models, sms_client

from . import Backend, DeliveryError

# Error codes (whole or by prefix) that a later try can get past: the provider's own trouble, rate
# limits, the network. Everything else (bad template, bad number, unapproved sign) is permanent.
RETRYABLE_PREFIXES = ("InternalError", "RequestLimitExceeded", "LimitExceeded.Delivery", "ServerNetworkError")
RETRYABLE_CODES = {"ClientNetworkError", "FailedOperation.InsufficientBalanceInSmsPackage"}


def is_retryable(code: str) -> bool:
    return code in RETRYABLE_CODES or code.startswith(RETRYABLE_PREFIXES)


class TencentSmsBackend(Backend):
    channel = "sms"

    def __init__(self) -> None:
        http = HttpProfile(
            protocol=getattr(settings, "TENCENT_SMS_SCHEME", "https"),
            endpoint=getattr(settings, "TENCENT_SMS_ENDPOINT", "sms.tencentcloudapi.com"),
            reqTimeout=getattr(settings, "TENCENT_SMS_TIMEOUT", 10),
        )
        cred = credential.Credential(
            getattr(settings, "TENCENT_SMS_SECRET_ID", ""), getattr(settings, "TENCENT_SMS_SECRET_KEY", "")
        )
        region = getattr(settings, "TENCENT_SMS_REGION", "ap-guangzhou")
        self.client = sms_client.SmsClient(cred, region, ClientProfile(httpProfile=http))

    def send(self, *, address: str, template: str, params: dict[str, str], text: str, idempotency_key: str) -> str:
        template_id = (getattr(settings, "TENCENT_SMS_TEMPLATES", None) or {}).get(template)
        if not template_id:
            raise DeliveryError(f"未配置短信模板「{template}」（TENCENT_SMS_TEMPLATES）", retryable=False)
        request = models.SendSmsRequest()
        request.SmsSdkAppId = getattr(settings, "TENCENT_SMS_APP_ID", "")
        request.SignName = getattr(settings, "TENCENT_SMS_SIGN", "")
        request.TemplateId = str(template_id)
        request.TemplateParamSet = [str(v) for v in params.values()]
        request.PhoneNumberSet = [address if address.startswith("+") else f"+86{address}"]
        # Echoed back in the status callback: ties a receipt to our delivery row.
        request.SessionContext = idempotency_key[:512]
        try:
            response = self.client.SendSms(request)
        except TencentCloudSDKException as exc:
            code = exc.get_code() or "Unknown"
            raise DeliveryError(f"{code}: {exc.get_message()}"[:500], retryable=is_retryable(code)) from exc
        statuses = response.SendStatusSet or []
        if not statuses:
            raise DeliveryError("腾讯云短信未返回发送结果", retryable=True)
        status = statuses[0]
        if status.Code != "Ok":
            raise DeliveryError(f"{status.Code}: {status.Message}"[:500], retryable=is_retryable(status.Code or ""))
        return status.SerialNo or response.RequestId or ""
