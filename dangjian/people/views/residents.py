"""The household register: buildings, households, residents."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from dangjian.core.views import client_ip, querystring_without_page, require_roles
from dangjian.territory.models import Building

from .. import selectors
from ..filters import ResidentFilter
from ..forms import (
    HouseholdForm,
    ResidentForm,
    form_errors_from,
)
from ..models import (
    Household,
    Resident,
    ResidentTag,
)
from ..permissions import RESIDENT_ROLES
from ..services import residents as residents_services
from .common import numbered_page_of, page_of

# --- the household register ----------------------------------------------------------------


def _tag_choices() -> list[tuple[str, str]]:
    return [(t, str(ResidentTag(t).label)) for t in ResidentTag.values]


@require_roles(RESIDENT_ROLES)
def resident_home(request):
    """The buildings of the user's grid (community, subtree), or the residents carrying a tag."""
    user = request.user
    filters = ResidentFilter.parse(request.GET)
    query, tag = filters.query, filters.tag
    if tag:
        page = page_of(request, filters.residents(user), selectors.RESIDENT_ORDER)
    else:
        page = numbered_page_of(request, selectors.register_buildings(user, query=query))
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
            household = residents_services.household_create(
                actor=request.user, building=building, room=form.cleaned_data["room"]
            )
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
            residents_services.household_delete(actor=request.user, household=household)
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
            resident = residents_services.resident_create(actor=request.user, household=household, **form.cleaned_data)
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
        residents_services.resident_reveal_mobile(
            actor=request.user, resident=resident, ip=client_ip(request), via="edit"
        )
    if request.method == "POST" and form.is_valid():
        try:
            residents_services.resident_update(actor=request.user, resident=resident, **form.cleaned_data)
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
        residents_services.resident_delete(actor=request.user, resident=resident)
        messages.success(request, _("已移除居民「%(name)s」。") % {"name": resident.name})
        return redirect(_back_to_building(resident.household))
    return render(request, "people/resident_remove.html", {"resident": resident, "active_nav": "residents"})


@require_roles(RESIDENT_ROLES)
@require_POST
@never_cache
def resident_reveal(request, public_id):
    resident = _resident(request, public_id)
    value = residents_services.resident_reveal_mobile(actor=request.user, resident=resident, ip=client_ip(request))
    return HttpResponse(escape(value) if value else _("未填写"))
