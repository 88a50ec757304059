"""Pages for members, the household register and liaisons. Thin: parse, call a service, render."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from dangjian.accounts.roles import Role
from dangjian.core.views import client_ip, querystring_without_page, require_roles
from dangjian.orgs.models import PartyOrg
from dangjian.territory.models import Area, Building, Estate, Level

from . import selectors, services
from .forms import (
    BringUnderManagementForm,
    HouseholdForm,
    LiaisonAccountForm,
    LiaisonForm,
    MemberAccountCreateForm,
    MemberForm,
    MemberStatusForm,
    MemberTransferForm,
    ResidentForm,
    form_errors_from,
)
from .models import (
    UNMANAGED_STATUSES,
    Household,
    Liaison,
    LiaisonLevel,
    Member,
    MemberCategory,
    MemberStatus,
    Resident,
    ResidentTag,
)
from .selectors import LIAISON_ADMIN_ROLES, LIAISON_ROLES, MEMBER_ROLES, RESIDENT_ROLES, STATUS_ALL

PER_PAGE = 25
# Status changes that take a member off the books: asked twice.
CONFIRMED_STATUSES = {MemberStatus.MOVED_OUT, MemberStatus.DECEASED}


def _optional(model: Any, user: Any, public_id: str, **lookups: Any) -> Any:
    """A filter's object by public id, or None when absent, unknown or out of scope (filters never 404)."""
    if not public_id:
        return None
    try:
        return model.objects.get_for_user(user, public_id, **lookups)
    except Http404:
        return None


def _page(request, queryset):
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))


# --- members -------------------------------------------------------------------------------


def _member(request, public_id) -> Member:
    return Member.objects.select_related(
        "org__area", "workplace", "home_community", "home_estate", "home_building", "user", "pending_user", "pending_by"
    ).get_for_user(request.user, public_id)


def _managed_member(request, public_id) -> Member:
    """A member the user may change; a member they only see (living here, organized elsewhere) is 404 here."""
    member = _member(request, public_id)
    if not selectors.member_managed_by(request.user, member):
        raise Http404
    return member


@require_roles(MEMBER_ROLES)
def member_list(request):
    user = request.user
    query = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    if status not in MemberStatus.values and status != STATUS_ALL:
        status = ""
    category = request.GET.get("category", "")
    if category not in MemberCategory.values:
        category = ""
    org = _optional(PartyOrg, user, request.GET.get("org", ""))
    community = _optional(Area, user, request.GET.get("community", ""), level=Level.COMMUNITY)
    members = selectors.member_list(user, query=query, status=status, category=category, org=org, community=community)
    context = {
        "page": _page(request, members),
        "q": query,
        "status": status,
        "category": category,
        "org": org,
        "community": community,
        "orgs": selectors.member_orgs_for(user),
        "communities": selectors.communities_for(user),
        "statuses": MemberStatus.choices,
        "categories": MemberCategory.choices,
        "status_all": STATUS_ALL,
        "filtered": bool(query or status or category or org or community),
        "querystring": querystring_without_page(request),
        "active_nav": "members",
    }
    return render(request, "people/member_list.html", context)


@require_roles(MEMBER_ROLES)
def member_detail(request, public_id):
    member = _member(request, public_id)
    managed = selectors.member_managed_by(request.user, member)
    context = {
        "member": member,
        "managed": managed,
        "can_transfer": managed and member.status not in {MemberStatus.MOVED_OUT, MemberStatus.DECEASED},
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
            member = services.member_create(actor=request.user, **_member_form_kwargs(form))
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("已登记党员「%(name)s」。") % {"name": member.name})
            return redirect("people:member_detail", public_id=member.public_id)
    return render(request, "people/member_form.html", {"form": form, "member": None, "active_nav": "members"})


@require_roles(MEMBER_ROLES)
def member_edit(request, public_id):
    member = _managed_member(request, public_id)
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
        services.member_reveal_for_edit(actor=request.user, member=member, ip=client_ip(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(actor=request.user, member=member, **_member_form_kwargs(form))
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
    member = _managed_member(request, public_id)
    form = MemberTransferForm(request.POST or None, user=request.user, member=member)
    confirming = False
    if request.method == "POST" and form.is_valid():
        to_org, reason = form.cleaned_data["to_org"], form.cleaned_data["reason"]
        try:
            if request.POST.get("confirm") == "1":
                services.member_transfer(actor=request.user, member=member, to_org=to_org, reason=reason)
                messages.success(
                    request,
                    _("已将「%(name)s」的组织关系转至「%(org)s」。") % {"name": member.name, "org": to_org.name},
                )
                return redirect("people:member_detail", public_id=member.public_id)
            services.validate_transfer(actor=request.user, member=member, to_org=to_org, reason=reason)
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
    member = _managed_member(request, public_id)
    form = MemberStatusForm(request.POST or None, member=member)
    confirming, new_label = False, ""
    if request.method == "POST" and form.is_valid():
        status, note = form.cleaned_data["status"], form.cleaned_data["note"]
        if status in CONFIRMED_STATUSES and request.POST.get("confirm") != "1":
            confirming, new_label = True, MemberStatus(status).label
        else:
            try:
                services.member_set_status(actor=request.user, member=member, status=status, note=note)
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
    org = _optional(PartyOrg, user, request.GET.get("org", ""))
    page = _page(request, selectors.unmanaged_members(user, org=org))
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
    member = _managed_member(request, public_id)
    if member.status not in UNMANAGED_STATUSES:
        raise Http404
    form = BringUnderManagementForm(request.POST or None, user=request.user, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_bring_under_management(actor=request.user, member=member, **form.cleaned_data)
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
    if field not in services.REVEALABLE_MEMBER_FIELDS:
        raise Http404
    member = _member(request, public_id)
    value = services.member_reveal(actor=request.user, member=member, field=field, ip=client_ip(request))
    return HttpResponse(escape(value) if value else _("未填写"))


@require_roles({Role.PARTY_MEMBER})
def my_member(request):
    """我的党员信息: a Party member's own record, masked like everywhere (revealing is audited too)."""
    member = selectors.my_member(request.user)
    context: dict[str, Any] = {"member": member, "active_nav": "my_member"}
    if member is not None:
        context.update(selectors.member_history(member))
    return render(request, "people/my_member.html", context)


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
        "can_link": member.status not in services.NO_ACCOUNT_STATUSES,
        "active_nav": "members",
    }
    return render(request, "people/member_account.html", context, status=status)


@require_roles(MEMBER_ROLES)
def member_account(request, public_id):
    """关联账号: find an existing account (or create one) for the member to sign in with."""
    return _render_account(request, _managed_member(request, public_id))


@require_roles(MEMBER_ROLES)
@require_POST
def member_account_link(request, public_id):
    """Link the account picked from the search; asked once more before it is done."""
    member = _managed_member(request, public_id)
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
            services.validate_account_link(actor=request.user, member=member, user=chosen)
            context = {"member": member, "chosen": chosen, "q": query, "active_nav": "members"}
            return render(request, "people/member_account_confirm.html", context)
        services.member_request_account_link(actor=request.user, member=member, user=chosen)
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
    member = _managed_member(request, public_id)
    try:
        services.member_cancel_account_request(actor=request.user, member=member)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已撤回关联请求。"))
    return redirect("people:member_account", public_id=member.public_id)


@login_required
def account_requests(request):
    """关联请求: records a worker asked to link to the signed-in account, for its holder to accept or decline."""
    page = Paginator(selectors.account_requests_for(request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "people/account_requests.html", {"page": page, "active_nav": "home"})


@login_required
@require_POST
def account_request_answer(request, public_id, answer):
    member = selectors.account_requests_for(request.user).filter(public_id=public_id).first()
    if member is None or answer not in {"accept", "decline"}:
        raise Http404
    try:
        if answer == "accept":
            services.member_accept_account_link(actor=request.user, member=member)
            messages.success(
                request, _("已确认：您的账号已关联党员「%(name)s」，可切换为党员身份使用。") % {"name": member.name}
            )
        else:
            services.member_decline_account_link(actor=request.user, member=member)
            messages.success(request, _("已拒绝「%(name)s」的账号关联请求。") % {"name": member.name})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("people:account_requests")


@require_roles(MEMBER_ROLES)
@require_POST
@never_cache
def member_account_create(request, public_id):
    """Create an account for the member; the temporary password is shown on this one response only."""
    member = _managed_member(request, public_id)
    form = MemberAccountCreateForm(request.POST, member=member)
    if form.is_valid():
        try:
            member, user, temporary = services.member_create_account(
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
    member = _managed_member(request, public_id)
    if member.user_id is None:
        return redirect("people:member_account", public_id=member.public_id)
    error = ""
    if request.method == "POST":
        username = member.user.username
        try:
            services.member_unlink_account(actor=request.user, member=member)
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
        "org": _optional(PartyOrg, user, request.GET.get("org", "")),
        "member": _optional(Member, user, request.GET.get("member", "")),
        "since": _date_param(request, "since"),
        "until": _date_param(request, "until"),
    }


@require_roles(MEMBER_ROLES)
def transfer_list(request):
    """组织关系转接记录: every move in the user's scope, into or out of their organizations."""
    filters = _transfer_filters(request)
    page = _page(request, selectors.transfer_list(request.user, **filters))
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
def transfer_export(request):
    """The transfer list as Excel, with the page's filters; ID numbers masked unless asked for; audited."""
    from dangjian.imports import exports, more_exports

    filters = _transfer_filters(request)
    transfers = selectors.transfer_list(request.user, **filters)
    return exports.export_response(
        request=request,
        queryset_or_rows=transfers,
        columns=more_exports.TRANSFER_COLUMNS,
        filename=_("组织关系转接记录"),
        actor=request.user,
        object_type="people.membertransfer",
        masked=not exports.wants_full_values(request),
        filters={k: (v.isoformat() if isinstance(v, datetime.date) else str(v)) for k, v in filters.items() if v},
    )


# --- the household register ----------------------------------------------------------------


def _tag_choices() -> list[tuple[str, str]]:
    return [(t, str(ResidentTag(t).label)) for t in ResidentTag.values]


@require_roles(RESIDENT_ROLES)
def resident_home(request):
    """The buildings of the user's grid (community, subtree), or the residents carrying a tag."""
    user = request.user
    query = request.GET.get("q", "").strip()
    tag = request.GET.get("tag", "")
    if tag not in ResidentTag.values:
        tag = ""
    if tag:
        page = _page(request, selectors.residents_with_tag(user, tag=tag, query=query))
    else:
        page = _page(request, selectors.register_buildings(user, query=query))
        selectors.register_counts(page.object_list)
    context = {
        "page": page,
        "q": query,
        "tag": tag,
        "tag_label": ResidentTag(tag).label if tag else "",
        "tag_counts": selectors.register_tag_counts(user),
        "querystring": querystring_without_page(request),
        "active_nav": "residents",
    }
    return render(request, "people/resident_home.html", context)


def _building(request, public_id) -> Building:
    return Building.objects.select_related("estate", "grid", "community").get_for_user(request.user, public_id)


def _render_building(request, building: Building, household_form: HouseholdForm, status: int = 200):
    context = {
        "building": building,
        "households": selectors.building_households(building),
        "household_form": household_form,
        "active_nav": "residents",
    }
    return render(request, "people/building_households.html", context, status=status)


@require_roles(RESIDENT_ROLES)
def building_households(request, public_id):
    return _render_building(request, _building(request, public_id), HouseholdForm())


@require_roles(RESIDENT_ROLES)
@require_POST
def household_create(request, public_id):
    building = _building(request, public_id)
    form = HouseholdForm(request.POST)
    if form.is_valid():
        try:
            household = services.household_create(actor=request.user, building=building, room=form.cleaned_data["room"])
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("已添加住户 %(room)s。") % {"room": household.room})
            return redirect(f"{reverse('people:resident_create', args=[household.public_id])}")
    return _render_building(request, building, form, status=400)


def _household(request, public_id) -> Household:
    return Household.objects.select_related("building__estate", "building__grid", "building__community").get_for_user(
        request.user, public_id
    )


def _back_to_building(household: Household) -> str:
    return f"{reverse('people:building_households', args=[household.building.public_id])}#hh-{household.public_id}"


@require_roles(RESIDENT_ROLES)
def household_remove(request, public_id):
    household = _household(request, public_id)
    error = ""
    if request.method == "POST":
        try:
            services.household_delete(actor=request.user, household=household)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("已删除住户 %(room)s。") % {"room": household.room})
            return redirect("people:building_households", public_id=household.building.public_id)
    return render(
        request,
        "people/household_remove.html",
        {"household": household, "error": error, "active_nav": "residents"},
    )


@require_roles(RESIDENT_ROLES)
def resident_create(request, public_id):
    household = _household(request, public_id)
    form = ResidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            resident = services.resident_create(actor=request.user, household=household, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("已添加居民「%(name)s」。") % {"name": resident.name})
            return redirect(_back_to_building(household))
    return render(
        request,
        "people/resident_form.html",
        {"form": form, "household": household, "resident": None, "tags": _tag_choices(), "active_nav": "residents"},
    )


def _resident(request, public_id) -> Resident:
    return Resident.objects.select_related(
        "household__building__estate", "household__building__grid", "household__building__community"
    ).get_for_user(request.user, public_id)


@require_roles(RESIDENT_ROLES)
def resident_edit(request, public_id):
    resident = _resident(request, public_id)
    initial = {"name": resident.name, "mobile": resident.mobile, "tags": resident.tags}
    form = ResidentForm(request.POST or None, initial=initial)
    if request.method == "GET" and resident.mobile:
        services.resident_reveal_mobile(actor=request.user, resident=resident, ip=client_ip(request), via="edit")
    if request.method == "POST" and form.is_valid():
        try:
            services.resident_update(actor=request.user, resident=resident, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("已保存居民「%(name)s」。") % {"name": form.cleaned_data["name"]})
            return redirect(_back_to_building(resident.household))
    return render(
        request,
        "people/resident_form.html",
        {
            "form": form,
            "household": resident.household,
            "resident": resident,
            "tags": _tag_choices(),
            "active_nav": "residents",
        },
    )


@require_roles(RESIDENT_ROLES)
def resident_remove(request, public_id):
    resident = _resident(request, public_id)
    if request.method == "POST":
        services.resident_delete(actor=request.user, resident=resident)
        messages.success(request, _("已移除居民「%(name)s」。") % {"name": resident.name})
        return redirect(_back_to_building(resident.household))
    return render(request, "people/resident_remove.html", {"resident": resident, "active_nav": "residents"})


@require_roles(RESIDENT_ROLES)
@require_POST
@never_cache
def resident_reveal(request, public_id):
    resident = _resident(request, public_id)
    value = services.resident_reveal_mobile(actor=request.user, resident=resident, ip=client_ip(request))
    return HttpResponse(escape(value) if value else _("未填写"))


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
    node = _optional(Area, user, request.GET.get("node", ""))
    liaisons = selectors.liaison_list(user, query=query, level=level, state=state, node=node)
    context = {
        "page": _page(request, liaisons),
        "q": query,
        "level": level,
        "state": state,
        "node": node,
        "levels": LiaisonLevel.choices,
        "can_assign": selectors.can_assign_liaisons(user),
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
            services.liaison_set_account(actor=request.user, liaison=liaison, user=form.cleaned_data["account"])
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
    area = _optional(Area, user, request.GET.get("area", ""))
    estate = _optional(Estate, user, request.GET.get("estate", ""))
    if area is not None and area.level in {Level.COMMUNITY, Level.GRID}:
        initial["area"] = area.public_id
    elif estate is not None:
        initial["estate"] = estate.public_id
    form = LiaisonForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["user"] = data.pop("account")
        try:
            liaison = services.liaison_assign(actor=user, **data)
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
            services.liaison_end(actor=request.user, liaison=liaison)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("已结束「%(name)s」的包联。") % {"name": liaison.leader_name})
            return redirect("people:liaison_list")
    return render(request, "people/liaison_end.html", {"liaison": liaison, "error": error, "active_nav": "liaisons"})
