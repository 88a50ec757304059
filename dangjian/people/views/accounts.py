"""A member's sign-in account: link requests, account creation, unlinking, the holder's answers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from dangjian.core.views import require_roles

from .. import selectors
from ..forms import (
    MemberAccountCreateForm,
    form_errors_from,
)
from ..models import (
    Member,
)
from ..permissions import LIAISON_ADMIN_ROLES, MEMBER_ROLES
from ..services import accounts as accounts_services
from .common import managed_member, page_of

# --- a member's sign-in account ------------------------------------------------------------


def _render_account(request, member: Member, *, create_form=None, error: str = "", status: int = 200):
    query = request.GET.get("q", "").strip() if request.method == "GET" else request.POST.get("q", "").strip()
    candidates = selectors.account_candidates(request.user, query, unlinked_only=True) if query else []
    context = {
        "member": member,
        "account": member.user,
        "q": query,
        "candidates": candidates,
        "create_form": create_form or MemberAccountCreateForm(member=member),
        "error": error,
        "can_link": member.status not in accounts_services.NO_ACCOUNT_STATUSES,
        "active_nav": "members",
    }
    return render(request, "people/member_account.html", context, status=status)


@require_roles(MEMBER_ROLES)
def member_account(request, public_id):
    """关联账号: find an existing account (or create one) for the member to sign in with."""
    return _render_account(request, managed_member(request, public_id))


@require_roles(MEMBER_ROLES)
@require_POST
def member_account_link(request, public_id):
    """Link the account picked from the search; asked once more before it is done."""
    member = managed_member(request, public_id)
    query = request.POST.get("q", "").strip()
    # The account must still be one the search offers (active, not linked, findable by this user).
    chosen = next(
        (
            u
            for u in selectors.account_candidates(request.user, query, unlinked_only=True)
            if str(u.public_id) == request.POST.get("user", "")
        ),
        None,
    )
    if chosen is None:
        return _render_account(request, member, error=_("请重新搜索并选择要关联的账号。"), status=400)
    try:
        if request.POST.get("confirm") != "1":
            accounts_services.validate_account_link(actor=request.user, member=member, user=chosen)
            context = {"member": member, "chosen": chosen, "q": query, "active_nav": "members"}
            return render(request, "people/member_account_confirm.html", context)
        accounts_services.member_request_account_link(actor=request.user, member=member, user=chosen)
    except ValidationError as exc:
        return _render_account(request, member, error=" ".join(exc.messages), status=400)
    messages.success(
        request,
        _("已向账号「%(u)s」发出关联请求：本人登录后在“今日待办”中确认，即完成关联。") % {"u": chosen.username},
    )
    return redirect("people:member_account", public_id=member.public_id)


@require_roles(MEMBER_ROLES)
@require_POST
def member_account_cancel(request, public_id):
    """Withdraw a link request the account holder has not answered yet."""
    member = managed_member(request, public_id)
    try:
        accounts_services.member_cancel_account_request(actor=request.user, member=member)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已撤回关联请求。"))
    return redirect("people:member_account", public_id=member.public_id)


@login_required
def account_requests(request):
    """关联请求: records a worker asked to link to the signed-in account, for its holder to accept or decline."""
    page = page_of(request, selectors.account_requests_for(request.user), selectors.ACCOUNT_REQUEST_ORDER)
    return render(request, "people/account_requests.html", {"page": page, "active_nav": "home"})


@login_required
@require_POST
def account_request_answer(request, public_id, answer):
    member = selectors.account_requests_for(request.user).filter(public_id=public_id).first()
    if member is None or answer not in {"accept", "decline"}:
        raise Http404
    try:
        if answer == "accept":
            accounts_services.member_accept_account_link(actor=request.user, member=member)
            messages.success(
                request, _("已确认：您的账号已关联党员「%(name)s」，可切换为党员身份使用。") % {"name": member.name}
            )
        else:
            accounts_services.member_decline_account_link(actor=request.user, member=member)
            messages.success(request, _("已拒绝「%(name)s」的账号关联请求。") % {"name": member.name})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("people:account_requests")


@require_roles(MEMBER_ROLES)
@require_POST
@never_cache
def member_account_create(request, public_id):
    """Create an account for the member; the temporary password is shown on this one response only."""
    member = managed_member(request, public_id)
    form = MemberAccountCreateForm(request.POST, member=member)
    if form.is_valid():
        try:
            member, user, temporary = accounts_services.member_create_account(
                actor=request.user,
                member=member,
                username=form.cleaned_data["username"],
                mobile=form.cleaned_data.get("mobile", ""),
                use_member_mobile=form.cleaned_data.get("use_member_mobile", False),
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            context = {"member": member, "account": user, "temporary": temporary, "active_nav": "members"}
            return render(request, "people/member_account_done.html", context)
    return _render_account(request, member, create_form=form, status=400)


@require_roles(MEMBER_ROLES)
def member_account_unlink(request, public_id):
    member = managed_member(request, public_id)
    if member.user_id is None:
        return redirect("people:member_account", public_id=member.public_id)
    error = ""
    if request.method == "POST":
        username = member.user.username
        try:
            accounts_services.member_unlink_account(actor=request.user, member=member)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request, _("已解除「%(name)s」与账号「%(u)s」的关联。") % {"name": member.name, "u": username}
            )
            return redirect("people:member_detail", public_id=member.public_id)
    return render(
        request, "people/member_account_unlink.html", {"member": member, "error": error, "active_nav": "members"}
    )


@require_roles(LIAISON_ADMIN_ROLES | MEMBER_ROLES)
def account_search(request):
    """Accounts matching what was typed, for the liaison form's suggestions (htmx)."""
    candidates = selectors.account_candidates(request.user, request.GET.get("account", ""))
    return render(request, "people/_account_suggestions.html", {"candidates": candidates})
