"""Member pages: the list, a member's record, register and edit, transfer, status, reveal; transfers."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from dangjian.accounts.roles import Role
from dangjian.core.db import replica_view
from dangjian.core.views import client_ip, querystring_without_page, require_roles
from dangjian.imports.exports import export_response, wants_full_values
from dangjian.orgs.models import PartyOrg

from .. import selectors
from ..exports import TRANSFER_COLUMNS
from ..filters import MemberFilter, lookup
from ..forms import (
    BringUnderManagementForm,
    MemberForm,
    MemberStatusForm,
    MemberTransferForm,
    form_errors_from,
)
from ..models import (
    OFF_BOOKS_STATUSES,
    UNMANAGED_STATUSES,
    Member,
    MemberCategory,
    MemberStatus,
)
from ..permissions import MEMBER_ROLES
from ..selectors import STATUS_ALL
from ..services import members as members_services
from .common import managed_member, member_for, page_of

# Status changes that take a member off the books: asked twice.
CONFIRMED_STATUSES = OFF_BOOKS_STATUSES


# --- members -------------------------------------------------------------------------------


@require_roles(MEMBER_ROLES)
def member_list(request):
    user = request.user
    filters = MemberFilter.parse(user, request.GET)
    members = filters.members(user)
    context = {
        "page": page_of(request, members, selectors.MEMBER_ORDER),
        "q": filters.query,
        "status": filters.status,
        "category": filters.category,
        "org": filters.org,
        "community": filters.community,
        "orgs": selectors.member_orgs_for(user),
        "communities": selectors.communities_for(user),
        "statuses": MemberStatus.choices,
        "categories": MemberCategory.choices,
        "status_all": STATUS_ALL,
        "filtered": filters.filtered,
        "querystring": querystring_without_page(request),
        "active_nav": "members",
    }
    return render(request, "people/member_list.html", context)


@require_roles(MEMBER_ROLES)
def member_detail(request, public_id):
    member = member_for(request, public_id)
    managed = selectors.member_managed_by(request.user, member)
    context = {
        "member": member,
        "managed": managed,
        "can_transfer": managed and member.status not in OFF_BOOKS_STATUSES,
        "can_restore": managed and member.status in UNMANAGED_STATUSES,
        "transfer_form": MemberTransferForm(user=request.user, member=member) if managed else None,
        **selectors.member_history(member),
        "active_nav": "members",
    }
    return render(request, "people/member_detail.html", context)


def _member_form_kwargs(form: MemberForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    for key in ("id_number", "mobile"):
        data[key] = data.get(key) or ""
    return data


@require_roles(MEMBER_ROLES)
def member_create(request):
    form = MemberForm(request.POST or None, user=request.user, creating=True)
    if request.method == "POST" and form.is_valid():
        try:
            member = members_services.member_create(actor=request.user, **_member_form_kwargs(form))
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("已登记党员「%(name)s」。") % {"name": member.name})
            return redirect("people:member_detail", public_id=member.public_id)
    return render(request, "people/member_form.html", {"form": form, "member": None, "active_nav": "members"})


@require_roles(MEMBER_ROLES)
def member_edit(request, public_id):
    member = managed_member(request, public_id)
    initial = {
        "name": member.name,
        "id_number": member.id_number or "",
        "mobile": member.mobile,
        "category": member.category,
        "joined_on": member.joined_on,
        "confirmed_on": member.confirmed_on,
        "workplace": member.workplace.public_id if member.workplace_id else None,
        "home_community": member.home_community.public_id if member.home_community_id else None,
        "home_estate": member.home_estate.public_id if member.home_estate_id else None,
        "home_building": member.home_building.public_id if member.home_building_id else None,
    }
    form = MemberForm(request.POST or None, user=request.user, creating=False, initial=initial)
    if request.method == "GET":
        members_services.member_reveal_for_edit(actor=request.user, member=member, ip=client_ip(request))
    if request.method == "POST" and form.is_valid():
        try:
            members_services.member_update(actor=request.user, member=member, **_member_form_kwargs(form))
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("已保存「%(name)s」的信息。") % {"name": member.name})
            return redirect("people:member_detail", public_id=member.public_id)
    return render(request, "people/member_form.html", {"form": form, "member": member, "active_nav": "members"})


@require_roles(MEMBER_ROLES)
def member_home_fields(request):
    """The estate and building choices for the community (and estate) picked, for the member form (htmx)."""
    initial = {key: request.GET.get(key) for key in ("home_community", "home_estate", "home_building")}
    form = MemberForm(user=request.user, creating=False, initial=initial)
    return render(request, "people/_home_fields_inner.html", {"form": form})


@require_roles(MEMBER_ROLES)
def member_transfer(request, public_id):
    """组织关系转接, in two steps: choose the destination, then confirm."""
    member = managed_member(request, public_id)
    form = MemberTransferForm(request.POST or None, user=request.user, member=member)
    confirming = False
    if request.method == "POST" and form.is_valid():
        to_org, reason = form.cleaned_data["to_org"], form.cleaned_data["reason"]
        try:
            if request.POST.get("confirm") == "1":
                members_services.member_transfer(actor=request.user, member=member, to_org=to_org, reason=reason)
                messages.success(
                    request,
                    _("已将「%(name)s」的组织关系转至「%(org)s」。") % {"name": member.name, "org": to_org.name},
                )
                return redirect("people:member_detail", public_id=member.public_id)
            members_services.validate_transfer(actor=request.user, member=member, to_org=to_org, reason=reason)
            confirming = True
        except ValidationError as exc:
            form_errors_from(form, exc)
    return render(
        request,
        "people/member_transfer.html",
        {"member": member, "form": form, "confirming": confirming, "active_nav": "members"},
    )


@require_roles(MEMBER_ROLES)
def member_status(request, public_id):
    member = managed_member(request, public_id)
    form = MemberStatusForm(request.POST or None, member=member)
    confirming, new_label = False, ""
    if request.method == "POST" and form.is_valid():
        status, note = form.cleaned_data["status"], form.cleaned_data["note"]
        if status in CONFIRMED_STATUSES and request.POST.get("confirm") != "1":
            confirming, new_label = True, MemberStatus(status).label
        else:
            try:
                members_services.member_set_status(actor=request.user, member=member, status=status, note=note)
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(
                    request,
                    _("「%(name)s」的状态已改为「%(s)s」。") % {"name": member.name, "s": MemberStatus(status).label},
                )
                return redirect("people:member_detail", public_id=member.public_id)
    return render(
        request,
        "people/member_status.html",
        {"member": member, "form": form, "confirming": confirming, "new_label": new_label, "active_nav": "members"},
    )


@require_roles(MEMBER_ROLES)
def member_floating(request):
    """流动 / 口袋党员 of an organization's subtree (or of the whole scope), to bring under management."""
    user = request.user
    org = lookup(PartyOrg, user, request.GET.get("org", ""), strict=False)
    page = page_of(request, selectors.unmanaged_members(user, org=org, notes=False), selectors.FLOATING_ORDER)
    selectors.attach_status_notes(page.object_list)
    for member in page.object_list:
        member.managed = selectors.member_managed_by(user, member)
    context = {
        "page": page,
        "org": org,
        "orgs": selectors.member_orgs_for(user),
        "querystring": querystring_without_page(request),
        "active_nav": "members",
    }
    return render(request, "people/member_floating.html", context)


@require_roles(MEMBER_ROLES)
def member_restore(request, public_id):
    """纳入管理: set a floating or pocket member back to in-service or retired, with a note."""
    member = managed_member(request, public_id)
    if member.status not in UNMANAGED_STATUSES:
        raise Http404
    form = BringUnderManagementForm(request.POST or None, user=request.user, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            members_services.member_bring_under_management(actor=request.user, member=member, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("「%(name)s」已纳入组织管理。") % {"name": member.name})
            back = reverse("people:member_floating")
            org = request.GET.get("org", "")
            return redirect(f"{back}?{urlencode({'org': org})}" if org else back)
    return render(request, "people/member_restore.html", {"member": member, "form": form, "active_nav": "members"})


@require_roles(MEMBER_ROLES | {Role.PARTY_MEMBER})
@require_POST
@never_cache
def member_reveal(request, public_id, field):
    """The full ID number or mobile, for the member's managers and the member themselves; audited."""
    if field not in members_services.REVEALABLE_MEMBER_FIELDS:
        raise Http404
    member = member_for(request, public_id)
    value = members_services.member_reveal(actor=request.user, member=member, field=field, ip=client_ip(request))
    return HttpResponse(escape(value) if value else _("未填写"))


@require_roles({Role.PARTY_MEMBER})
def my_member(request):
    """我的党员信息: a Party member's own record, masked like everywhere (revealing is audited too)."""
    member = selectors.my_member(request.user)
    context: dict[str, Any] = {"member": member, "active_nav": "my_member"}
    if member is not None:
        context.update(selectors.member_history(member))
    return render(request, "people/my_member.html", context)


# --- organization transfers ----------------------------------------------------------------


def _date_param(request, name: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(request.GET.get(name, ""))
    except ValueError:
        return None


def _transfer_filters(request) -> dict[str, Any]:
    user = request.user
    return {
        "query": request.GET.get("q", "").strip(),
        "org": lookup(PartyOrg, user, request.GET.get("org", ""), strict=False),
        "member": lookup(Member, user, request.GET.get("member", ""), strict=False),
        "since": _date_param(request, "since"),
        "until": _date_param(request, "until"),
    }


@require_roles(MEMBER_ROLES)
def transfer_list(request):
    """组织关系转接记录: every move in the user's scope, into or out of their organizations."""
    filters = _transfer_filters(request)
    page = page_of(request, selectors.transfer_list(request.user, **filters), selectors.TRANSFER_ORDER)
    ids = [t.member_id for t in page.object_list]
    # A member moved away may no longer be visible here: their name shows, without a link.
    visible = set(Member.objects.visible_to(request.user).filter(pk__in=ids).values_list("pk", flat=True))
    for transfer in page.object_list:
        transfer.member_visible = transfer.member_id in visible
    context = {
        "page": page,
        **filters,
        "q": filters["query"],
        "orgs": selectors.member_orgs_for(request.user),
        "filtered": any(filters.values()),
        "querystring": querystring_without_page(request),
        "active_nav": "members",
    }
    return render(request, "people/transfer_list.html", context)


@require_roles(MEMBER_ROLES)
@require_http_methods(["GET", "POST"])
@replica_view
def transfer_export(request):
    """The transfer list as Excel, with the page's filters; ID numbers masked unless asked for; audited."""
    filters = _transfer_filters(request)
    transfers = selectors.transfer_list(request.user, **filters)
    return export_response(
        request=request,
        queryset_or_rows=transfers,
        columns=TRANSFER_COLUMNS,
        filename=_("组织关系转接记录"),
        actor=request.user,
        object_type="people.membertransfer",
        masked=not wants_full_values(request),
        filters={k: (v.isoformat() if isinstance(v, datetime.date) else str(v)) for k, v in filters.items() if v},
    )
