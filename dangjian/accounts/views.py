from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.audit.services import Action, audit_record
from dangjian.core.keyset import keyset_page, page_params
from dangjian.core.views import client_ip, querystring_without_page, require_roles

from . import services, throttle
from .backends import account_named
from .forms import LoginForm, PasswordChangeForm
from .models import User
from .permissions import get_manageable_or_404, manageable_users
from .roles import ADMIN_ROLES, SESSION_KEY, user_assignments


def _minutes(seconds: int) -> int:
    return (seconds + 59) // 60


def login_view(request):
    form = LoginForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST" and form.is_valid():
        identifier, ip = form.cleaned_data["username"], client_ip(request)
        account = account_named(identifier)
        wait = throttle.account_seconds_locked(identifier, account)
        if wait:
            form.add_error(None, _("登录失败次数过多，账号已临时锁定，请 %(m)s 分钟后再试。") % {"m": _minutes(wait)})
        else:
            user = authenticate(request, username=identifier, password=form.cleaned_data["password"])
            if user is None:
                throttle.record_failure(identifier, ip, account)
                wait = throttle.address_seconds_limited(ip)
                if wait:
                    message = _("此网络登录失败次数过多，请核对用户名（手机号）和密码，%(m)s 分钟后再试。")
                    form.add_error(None, message % {"m": _minutes(wait)})
                else:
                    form.add_error(None, _("用户名（手机号）或密码不正确。"))
            elif user.temporary_password_expired:
                message = _("临时密码已过期（有效期 %(h)s 小时），请联系管理员重新重置密码。")
                form.add_error(None, message % {"h": settings.TEMP_PASSWORD_MAX_AGE_HOURS})
            else:
                throttle.clear_failures(user)
                login(request, user)
                audit_record(actor=user, action=Action.LOGIN, obj=user, ip=ip, area_path=services.user_area_path(user))
                if user.must_change_password:
                    messages.warning(request, _("您正在使用临时密码，请先修改密码。"))
                    return redirect("accounts:password_change")
                if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
                    return redirect(next_url)
                return redirect("dashboard:home")
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, _("您已安全退出。"))
    return redirect("accounts:login")


@login_required
@require_POST
def switch_role(request):
    wanted = request.POST.get("role", "")
    for assignment in user_assignments(request.user):
        if str(assignment.public_id) == wanted:
            request.session[SESSION_KEY] = assignment.pk
            request.user.active_role_id = assignment.pk
            audit_record(actor=request.user, action=Action.SWITCH_ROLE, obj=assignment, ip=client_ip(request))
            messages.success(request, _("已切换为：%(role)s") % {"role": assignment})
            return redirect("dashboard:home")
    raise Http404


@login_required
def password_change(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                actor=request.user,
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            from django.contrib.auth import update_session_auth_hash

            update_session_auth_hash(request, request.user)
            messages.success(request, _("密码已修改。"))
            return redirect("dashboard:home")
    return render(request, "accounts/password_change.html", {"form": form})


USER_LIST_ORDER = ("username",)


@require_roles(ADMIN_ROLES)
def user_list(request):
    query = request.GET.get("q", "").strip()
    users = User.objects.visible_to(request.user)
    if query:
        users = users.filter(username__icontains=query) | users.filter(full_name__icontains=query)
    # By username (unique, its index in order): numbered pages, then by cursor (core.keyset).
    page = keyset_page(
        users.prefetch_related(
            "role_assignments__area",
            "role_assignments__unit",
            "role_assignments__department",
            "role_assignments__home_community",
            "role_assignments__org",
        ),
        USER_LIST_ORDER,
        **page_params(request),
        per_page=20,
    )
    # Listed is not managed: actions are offered only on the accounts this admin may act on.
    on_page = [u.pk for u in page.object_list]
    manageable = set(manageable_users(request.user).filter(pk__in=on_page).values_list("pk", flat=True))
    context = {
        "page": page,
        "q": query,
        "querystring": querystring_without_page(request),
        "manageable": manageable,
        "active_nav": "users",
    }
    return render(request, "accounts/user_list.html", context)


@require_roles(ADMIN_ROLES)
def user_reset_password(request, public_id):
    target = get_manageable_or_404(request.user, public_id)
    if request.method == "POST":
        temporary = services.password_reset(actor=request.user, user=target)
        return render(request, "accounts/user_reset_done.html", {"target": target, "temporary": temporary})
    return render(request, "accounts/user_reset_confirm.html", {"target": target})


@require_roles(ADMIN_ROLES)
@require_POST
def user_reveal_mobile(request, public_id):
    target = get_manageable_or_404(request.user, public_id)
    audit_record(
        actor=request.user,
        action=Action.REVEAL,
        obj=target,
        changes={"field": "mobile"},
        ip=client_ip(request),
        area_path=services.user_area_path(target),
    )
    return HttpResponse(target.mobile or _("未填写"))
