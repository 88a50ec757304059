"""居民注册: mobile → SMS code → name, password and community → signed in on the phone home."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from dangjian.accounts.models import PhoneCodePurpose
from dangjian.accounts.phone.flow import PhoneFlow, add_errors
from dangjian.accounts.phone.services import account_for_mobile
from dangjian.core.idempotency import idempotent
from dangjian.core.text import mask_mobile
from dangjian.core.views import client_ip

from .forms import SignupForm
from .services import account_exists_message, resident_signup

SIGNUP = PhoneFlow(
    purpose=PhoneCodePurpose.SIGNUP,
    session_key="resident_signup",
    start_url="people:signup",
    verify_url="people:signup_verify",
    next_url="people:signup_details",
    title=gettext_lazy("居民注册"),
    intro=gettext_lazy("用手机号注册后，可以在线反映问题、提出需求、预约活动场地。"),
)


def _signed_in(request):
    if request.user.is_authenticated:
        messages.info(request, _("您已登录。"))
        return redirect("dashboard:home")
    return None


@never_cache
def signup_start(request):
    return _signed_in(request) or SIGNUP.start(request)


@never_cache
def signup_verify(request):
    return _signed_in(request) or SIGNUP.verify(request)


@never_cache
@idempotent
def signup_details(request):
    if request.user.is_authenticated:
        return redirect("dashboard:home")
    code = SIGNUP.verified(request)
    if code is None:
        messages.error(request, _("手机验证已失效，请重新获取验证码。"))
        return redirect("people:signup")
    if account_for_mobile(code.mobile) is not None:
        # Told only to whoever has just proved they hold this number.
        return render(request, "people/signup/exists.html", {"message": account_exists_message(), "flow": SIGNUP})
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = resident_signup(
                code_id=code.pk,
                mobile=code.mobile,
                full_name=data["full_name"],
                password=data["password"],
                community=data["community"],
                estate_name=data["estate"],
                lat=data["lat"],
                lng=data["lng"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            SIGNUP.finish(request)
            login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
            home = user.role_assignments.get().home_community
            messages.success(request, _("注册成功，欢迎！您所在的社区：%(c)s") % {"c": home})
            return redirect("dashboard:home")
    context = {"form": form, "flow": SIGNUP, "masked_mobile": mask_mobile(code.mobile)}
    return render(request, "people/signup/details.html", context)
