"""找回密码: mobile → SMS code → a new password. Public pages (the person cannot sign in)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from dangjian.core.views import client_ip

from ..models import PhoneCodePurpose
from .flow import PhoneFlow, add_errors
from .forms import NewPasswordForm
from .services import NO_ACCOUNT_MESSAGE, account_for_mobile, password_reset_by_code

RESET = PhoneFlow(
    purpose=PhoneCodePurpose.RESET,
    session_key="password_reset",
    start_url="accounts:reset",
    verify_url="accounts:reset_verify",
    next_url="accounts:reset_password",
    title=gettext_lazy("找回密码"),
    intro=gettext_lazy("输入账号绑定的手机号，我们将发送短信验证码。"),
)


@never_cache
def reset_start(request):
    return RESET.start(request)


@never_cache
def reset_verify(request):
    return RESET.verify(request)


@never_cache
def reset_password(request):
    code = RESET.verified(request)
    if code is None:
        messages.error(request, _("手机验证已失效，请重新获取验证码。"))
        return redirect("accounts:reset")
    account = account_for_mobile(code.mobile)
    form = NewPasswordForm(request.POST or None)
    if account is not None and request.method == "POST" and form.is_valid():
        try:
            password_reset_by_code(
                code_id=code.pk, mobile=code.mobile, new_password=form.cleaned_data["password"], ip=client_ip(request)
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            RESET.finish(request)
            messages.success(request, _("密码已重置，请用新密码登录。"))
            return redirect("accounts:login")
    context = {"form": form, "flow": RESET, "no_account": NO_ACCOUNT_MESSAGE() if account is None else ""}
    return render(request, "accounts/phone/reset_password.html", context)
