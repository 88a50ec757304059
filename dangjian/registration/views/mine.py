"""The registrant's own page (a member or a unit contact, signed in)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.accounts.roles import Role, active_assignment
from dangjian.core.scoping import active_role
from dangjian.core.views import client_ip, require_roles

from .. import selectors, services
from ..forms import AccountMemberForm, AccountUnitForm
from ..models import Registration
from ..permissions import REGISTRANT_ROLES
from ..workflow import Party, allowed_steps
from .common import NAV, add_errors

# --- the registrant's own page -------------------------------------------------------------


@require_roles(REGISTRANT_ROLES)
def mine(request):
    role = active_role(request.user)
    assignment = active_assignment(request.user)
    context: dict = {"role": role, "active_nav": NAV}
    if role == Role.PARTY_MEMBER:
        member = selectors.member_for_user(request.user)
        context["member"] = member
        if member is None:
            return render(request, "registration/mine.html", context)
        state = selectors.registration_status_for_member(member)
        target = member.home_community or (assignment.home_community if assignment else None)
        skills = selectors.service_intentions_for(target)
        form = AccountMemberForm(request.POST or None, skills=skills, initial={"mobile": member.mobile})
        if request.method == "POST" and target is not None and form.is_valid():
            try:
                services.registration_submit_member(
                    actor=request.user,
                    member=member,
                    community=target,
                    contact_mobile=form.cleaned_data["mobile"],
                    skills=form.cleaned_data["skills"],
                    note=form.cleaned_data["note"],
                    via=_("账号报到"),
                    ip=client_ip(request),
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("已提交，等待社区确认。"))
                return redirect("registration:mine")
    else:
        unit = assignment.unit if assignment else None
        if unit is None:
            raise Http404
        context["unit"] = unit
        state = selectors.registration_status_for_unit(unit)
        target = unit.community
        skills = selectors.service_intentions_for(target)
        form = AccountUnitForm(request.POST or None, skills=skills, initial={"contact_name": request.user.full_name})
        if request.method == "POST" and form.is_valid():
            try:
                services.registration_submit_unit(
                    actor=request.user,
                    unit=unit,
                    community=target,
                    contact_name=form.cleaned_data["contact_name"],
                    contact_mobile=form.cleaned_data["contact_mobile"],
                    skills=form.cleaned_data["skills"],
                    note=form.cleaned_data["note"],
                    via=_("账号报到"),
                    ip=client_ip(request),
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("已提交，等待社区确认。"))
                return redirect("registration:mine")
    reg = state.registration
    context.update(
        state=state,
        target=target,
        form=form,
        log=list(reg.log.select_related("actor")) if reg else [],
        # A joint branch's registration filed through another unit is that unit's to withdraw.
        can_withdraw=bool(
            reg
            and allowed_steps(reg, Party.REGISTRANT)
            and (role == Role.PARTY_MEMBER or reg.unit_id == context["unit"].pk)
        ),
        documents=selectors.latest_documents(state.community) if state.registered and state.community else [],
    )
    return render(request, "registration/mine.html", context)


@require_roles(REGISTRANT_ROLES)
@require_POST
def mine_withdraw(request, public_id):
    reg = Registration.objects.get_for_user(request.user, public_id)
    try:
        services.registration_withdraw(
            actor=request.user, registration=reg, party=Party.REGISTRANT, note=request.POST.get("note", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已撤回报到。"))
    return redirect("registration:mine")
