"""Liaisons (包联 / 挂点): the list, assigning, ending, the leader's account."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from dangjian.core.views import querystring_without_page, require_roles
from dangjian.territory.models import Area, Estate, Level

from .. import selectors
from ..filters import lookup
from ..forms import (
    LiaisonAccountForm,
    LiaisonForm,
    form_errors_from,
)
from ..models import (
    Liaison,
    LiaisonLevel,
)
from ..permissions import LIAISON_ADMIN_ROLES, LIAISON_ROLES, can_assign_liaisons
from ..services import liaisons as liaisons_services
from .common import page_of

# --- liaisons ------------------------------------------------------------------------------


@require_roles(LIAISON_ROLES)
def liaison_list(request):
    user = request.user
    query = request.GET.get("q", "").strip()
    level = request.GET.get("level", "")
    if level not in LiaisonLevel.values:
        level = ""
    state = request.GET.get("state", "")
    if state not in {"ended", "all"}:
        state = ""
    node = lookup(Area, user, request.GET.get("node", ""), strict=False)
    liaisons = selectors.liaison_list(user, query=query, level=level, state=state, node=node)
    context = {
        "page": page_of(request, liaisons, selectors.LIAISON_ORDER),
        "q": query,
        "level": level,
        "state": state,
        "node": node,
        "levels": LiaisonLevel.choices,
        "can_assign": can_assign_liaisons(user),
        "mine": selectors.my_liaisons(user),
        "querystring": querystring_without_page(request),
        "active_nav": "liaisons",
    }
    return render(request, "people/liaison_list.html", context)


@require_roles(LIAISON_ADMIN_ROLES)
def liaison_account(request, public_id):
    """Set or clear the account a leader signs in with, so they see their own assignments."""
    liaison = Liaison.objects.select_related("area", "estate__community", "user").get_for_user(request.user, public_id)
    initial = {"account": liaison.user.username if liaison.user_id else ""}
    form = LiaisonAccountForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            liaisons_services.liaison_set_account(
                actor=request.user, liaison=liaison, user=form.cleaned_data["account"]
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("已保存「%(name)s」的登录账号。") % {"name": liaison.leader_name})
            return redirect("people:liaison_list")
    return render(request, "people/liaison_account.html", {"liaison": liaison, "form": form, "active_nav": "liaisons"})


def _liaison_return_url(liaison: Liaison) -> str:
    if liaison.area_id:
        return reverse("territory:detail", args=[liaison.area.public_id])
    return reverse("territory:detail", args=[liaison.estate.community.public_id])


@require_roles(LIAISON_ADMIN_ROLES)
def liaison_create(request):
    user = request.user
    initial = {}
    area = lookup(Area, user, request.GET.get("area", ""), strict=False)
    estate = lookup(Estate, user, request.GET.get("estate", ""), strict=False)
    if area is not None and area.level in {Level.COMMUNITY, Level.GRID}:
        initial["area"] = area.public_id
    elif estate is not None:
        initial["estate"] = estate.public_id
    form = LiaisonForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["user"] = data.pop("account")
        try:
            liaison = liaisons_services.liaison_assign(actor=user, **data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(
                request,
                _("已安排「%(name)s」包联「%(t)s」。") % {"name": liaison.leader_name, "t": liaison.target},
            )
            return redirect(_liaison_return_url(liaison))
    return render(request, "people/liaison_form.html", {"form": form, "active_nav": "liaisons"})


@require_roles(LIAISON_ADMIN_ROLES)
def liaison_end(request, public_id):
    liaison = Liaison.objects.select_related("area", "estate__community").get_for_user(request.user, public_id)
    error = ""
    if request.method == "POST":
        try:
            liaisons_services.liaison_end(actor=request.user, liaison=liaison)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("已结束「%(name)s」的包联。") % {"name": liaison.leader_name})
            return redirect("people:liaison_list")
    return render(request, "people/liaison_end.html", {"liaison": liaison, "error": error, "active_nav": "liaisons"})
