"""Public self-service pages behind a community's QR code (no account needed), and the receipt."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.accounts.roles import Role
from dangjian.core.scoping import active_role
from dangjian.core.views import client_ip

from .. import selectors, services, throttle
from ..forms import LookupForm, MemberPublicForm, UnitPublicForm
from ..models import Registration, RegistrationKind
from ..workflow import Party, allowed_steps
from .common import add_errors

# --- public self-service pages (no account) -------------------------------------------------


def _public(request, template: str, context: dict, status: int = 200):
    return render(request, "registration/public/page.html", {"page_template": template, **context}, status=status)


def _link(request, token: str):
    link = selectors.link_by_token(token)
    if link is None:
        return None, _public(request, "registration/public/gone.html", {}, status=404)
    return link, None


def _throttled(request, form) -> bool:
    wait = throttle.seconds_blocked(client_ip(request))
    if wait:
        form.add_error(None, _("提交过于频繁，请 %(m)s 分钟后再试。") % {"m": (wait + 59) // 60})
        return True
    return False


def _to_receipt(request, reg: Registration):
    messages.success(request, _("已提交，等待社区确认。"))
    return redirect("registration:receipt", signed=selectors.receipt_token(reg))


def public_start(request, token):
    link, gone = _link(request, token)
    if gone:
        return gone
    member = selectors.member_for_user(request.user) if active_role(request.user) == Role.PARTY_MEMBER else None
    return _public(
        request, "registration/public/start.html", {"link": link, "community": link.community, "member": member}
    )


def public_member(request, token):
    link, gone = _link(request, token)
    if gone:
        return gone
    community = link.community
    form = MemberPublicForm(request.POST or None, skills=selectors.service_intentions_for(community))
    if request.method == "POST" and form.is_valid() and not _throttled(request, form):
        ip = client_ip(request)
        try:
            reg = services.public_register_member(community=community, ip=ip, **form.cleaned_data)
        except services.NoMatch as exc:
            throttle.record_attempt(ip, matched=False)
            add_errors(form, exc)
        except ValidationError as exc:
            throttle.record_attempt(ip, matched=True)
            add_errors(form, exc)
        else:
            throttle.record_attempt(ip, matched=True)
            return _to_receipt(request, reg)
    return _public(request, "registration/public/member.html", {"link": link, "community": community, "form": form})


def public_unit(request, token):
    link, gone = _link(request, token)
    if gone:
        return gone
    community = link.community
    form = UnitPublicForm(request.POST or None, skills=selectors.service_intentions_for(community))
    if request.method == "POST" and form.is_valid() and not _throttled(request, form):
        ip = client_ip(request)
        data = form.cleaned_data
        try:
            reg = services.public_register_unit(
                community=community,
                credit_code=data["credit_code"],
                name=data["unit_name"],
                contact_name=data["contact_name"],
                contact_mobile=data["contact_mobile"],
                skills=data["skills"],
                note=data["note"],
                ip=ip,
            )
        except services.NoMatch as exc:
            throttle.record_attempt(ip, matched=False)
            add_errors(form, exc)
        except ValidationError as exc:
            throttle.record_attempt(ip, matched=True)
            add_errors(form, exc)
        else:
            throttle.record_attempt(ip, matched=True)
            return _to_receipt(request, reg)
    return _public(request, "registration/public/unit.html", {"link": link, "community": community, "form": form})


def public_lookup(request, token):
    """查询报到进度 with the same two details; one answer for 'no such person' and 'no registration'."""
    link, gone = _link(request, token)
    if gone:
        return gone
    form = LookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and not _throttled(request, form):
        ip, data = client_ip(request), form.cleaned_data
        state = None
        if data["kind"] == RegistrationKind.MEMBER:
            member = selectors.match_member(id_number=data["identifier"], name=data["name"])
            state = selectors.registration_status_for_member(member) if member else None
        else:
            unit = selectors.match_unit(credit_code=data["identifier"], name=data["name"])
            state = selectors.registration_status_for_unit(unit) if unit else None
        if state is None or state.registration is None:
            throttle.record_attempt(ip, matched=False)
            form.add_error(None, _("未找到报到记录，请核对填写的信息；如有疑问请联系社区。"))
        else:
            throttle.record_attempt(ip, matched=True)
            return redirect("registration:receipt", signed=selectors.receipt_token(state.registration))
    return _public(
        request, "registration/public/lookup.html", {"link": link, "community": link.community, "form": form}
    )


@require_POST
def public_account(request, token):
    """A signed-in member registers at this community straight from the link, without typing their ID."""
    link, gone = _link(request, token)
    if gone:
        return gone
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={reverse('registration:public_start', args=[token])}")
    member = selectors.member_for_user(request.user) if active_role(request.user) == Role.PARTY_MEMBER else None
    if member is None:
        raise Http404
    try:
        services.registration_submit_member(
            actor=request.user,
            member=member,
            community=link.community,
            contact_mobile=member.mobile,
            via=_("账号扫码报到"),
            ip=client_ip(request),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("registration:public_start", token=token)
    messages.success(request, _("已提交，等待社区确认。"))
    return redirect("registration:mine")


def receipt(request, signed):
    """The registrant's receipt: status, the community's answer, and withdrawing while it is open."""
    reg = selectors.registration_from_receipt(signed)
    if reg is None:
        return _public(request, "registration/public/gone.html", {"receipt": True}, status=404)
    if request.method == "POST":
        try:
            services.registration_withdraw(
                actor=None, registration=reg, party=Party.REGISTRANT, note=request.POST.get("note", "")
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已撤回报到。"))
        return redirect("registration:receipt", signed=signed)
    context = {
        "reg": reg,
        "state": selectors.RegistrationState(reg),
        "display_name": mask_name(reg.member.name) if reg.member_id else str(reg.unit or reg.org),
        "can_withdraw": bool(allowed_steps(reg, Party.REGISTRANT)),
    }
    return _public(request, "registration/public/receipt.html", context)


def mask_name(name: str) -> str:
    """'王建国' -> '王**': a receipt link may be forwarded."""
    return name[:1] + "*" * (len(name) - 1) if name else ""
