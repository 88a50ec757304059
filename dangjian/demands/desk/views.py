"""Pages of the demand loop: the resident's 我要点单 and 我的需求, the worker's desk and demand page,
the claim board and the task list of members, unit contacts and team leaders."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dangjian.audit.services import Action, audit_record
from dangjian.core.db import replica_view
from dangjian.core.idempotency import idempotent
from dangjian.core.keyset import capped_count, keyset_page, page_params
from dangjian.core.photos import photo_response
from dangjian.core.text import mask_mobile
from dangjian.core.views import client_ip, querystring_without_page, require_roles
from dangjian.territory.selectors import filter_area_options
from dangjian.volunteering.models import Team

from .. import selectors, services
from ..models import Demand
from ..permissions import DESK_ROLES, NEW_ROLES, is_desk, is_worker, may_use_board
from ..workflow import DEMAND_FLOW, HANDLING_STATUSES, PAGE_STEPS, Party, Step
from . import forms
from .selectors import DESK_DEFERRED, communities_for, find_for_step, offered_steps

PAGE_SIZE = 20
FIRST_PAGES = 5  # the desk links pages 1-5 by number (an OFFSET of at most 100 rows), deeper ones by cursor

TASK_LABELS = [
    ("dispatched", _("派给我的待接单需求")),
    ("taken", _("我正在办理的需求")),
    ("late", _("超时的承接需求")),
]
TAB_LABELS = [
    ("submitted", _("待受理")),
    ("accepted", _("待派单")),
    ("published", _("待认领")),
    ("handling", _("办理中")),
    ("to_rate", _("待评价")),
    ("overdue", _("超时")),
]


# --- 我要点单, 我的需求 ---------------------------------------------------------------------


@require_roles(NEW_ROLES)
@idempotent
def demand_new(request):
    for_someone = is_desk(request.user)
    communities = communities_for(request.user)
    form = forms.SubmitForm(
        request.POST or None, request.FILES or None, communities=communities, for_someone=for_someone
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            demand = services.demand_submit(
                actor=request.user,
                kind=data["kind"],
                category=data.get("category"),
                title=data["title"],
                description=data.get("description", ""),
                needed_by=data.get("needed_by"),
                community=data.get("community"),
                estate=data.get("estate"),
                building=data.get("building"),
                photos=data.get("photos") or [],
                bank_hours=data.get("bank_hours") or 0,
                requester_name=data.get("requester_name", ""),
                requester_phone=data.get("requester_phone", ""),
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(request, _("已提交，社区会尽快受理。"))
            if for_someone:
                return redirect(demand.get_absolute_url())
            return redirect("demands:mine")
    balance = None
    if not for_someone and "bank_hours" in form.fields:
        balance = _balance(request.user)
    context = {
        "form": form,
        "for_someone": for_someone,
        "home": communities[0] if communities and not for_someone else None,
        "balance": balance,
        "active_nav": "demands_desk" if for_someone else "demand_new",
    }
    return render(request, "demands/public/new.html", context)


@require_roles(NEW_ROLES)
@require_GET
def demand_place_fields(request):
    """The 社区/小区/楼栋 choices of 我要点单 narrowed to what was picked (htmx): buildings of the chosen estate."""
    for_someone = is_desk(request.user)
    communities = communities_for(request.user)
    initial = {key: request.GET.get(key) for key in forms.SubmitForm.PLACE_FIELDS}
    form = forms.SubmitForm(initial=initial, communities=communities, for_someone=for_someone)
    home = communities[0] if communities and not for_someone else None
    return render(request, "demands/public/_place_fields_inner.html", {"form": form, "home": home})


def _balance(user: Any) -> Any:
    from dangjian.timebank.services import balance

    return balance(user)


@login_required
def demand_mine(request):
    mine = selectors.my_demands(request.user)
    page = keyset_page(mine, selectors.MY_DEMANDS_ORDER, **page_params(request), per_page=PAGE_SIZE)
    context = {"page": page, "querystring": querystring_without_page(request), "active_nav": "demand_mine"}
    return render(request, "demands/public/mine.html", context)


# --- the desk ---------------------------------------------------------------------------


_ANY_ID = "00000000-0000-4000-8000-000000000000"


def _desk_rows(demands: list[Demand]) -> list[Demand]:
    """What a desk row prints beside the demand's columns: the masked phone, the status and kind labels
    and the demand's URL, the labels and URL once a page (get_X_display translates every choice of the
    field on each call; reverse() walks the URL patterns each time)."""
    statuses = {value: str(label) for value, label in Demand._meta.get_field("status").flatchoices}
    kinds = {value: str(label) for value, label in Demand._meta.get_field("kind").flatchoices}
    detail = reverse("demands:detail", args=[_ANY_ID])
    for demand in demands:
        demand.masked_phone = mask_mobile(demand.requester_phone)
        demand.status_label = statuses.get(demand.status, demand.status)
        demand.kind_label = kinds.get(demand.kind, demand.kind)
        demand.url = detail.replace(_ANY_ID, str(demand.public_id))
    return demands


@require_roles(DESK_ROLES)
@replica_view
def demand_desk(request):
    form = forms.FilterForm(request.GET or None, user=request.user)
    if form.is_bound:
        form.is_valid()  # a field in error is dropped (its message shown), the others still filter
    q = form.cleaned_data.get("q", "") if form.is_bound else ""
    filters = form.list_filters() if form.is_bound else {}
    tab = request.GET.get("tab", "submitted")
    tab = tab if tab in selectors.TABS or tab in selectors.QUEUES or tab == "all" else "submitted"
    demands = selectors.desk_list(request.user, tab="" if tab == "all" else tab, q=q, **filters)
    # The page prints neither long texts nor a place's boundary (a large JSON document per row).
    demands = demands.defer(*DESK_DEFERRED)
    counts = selectors.tab_counts(request.user)
    page = keyset_page(
        demands,
        selectors.DESK_ORDERING,
        **page_params(request),
        per_page=PAGE_SIZE,
        numbered_pages=FIRST_PAGES,
        count_cap=selectors.COUNT_CAP,
        count=None if q or filters else counts.get(tab),  # a tab's list is its count's rows
    )
    _desk_rows(page.object_list)
    # The served rows' service hours (党员服务时长), in tenths of an hour as the figures store keeps them.
    amount_total = selectors.hours_tenths(demands) if filters.get("served") else None
    context = {
        "page": page,
        "form": form,
        "amount_total": amount_total,
        "hours_total": Decimal(amount_total) / 10 if amount_total is not None else None,
        "tab": tab,
        "queue_label": _("超时的群众需求") if tab == "late" else "",
        "filtered": bool(filters),
        "area_options": filter_area_options(
            request.user, form.fields["area"].queryset, getattr(form, "cleaned_data", {}).get("area")
        ),
        "tabs": [(key, label, counts.get(key)) for key, label in TAB_LABELS],
        "querystring": querystring_without_page(request),
        "active_nav": "demands_desk",
    }
    return render(request, "demands/desk/list.html", context)


# --- the demand page and its steps ----------------------------------------------------------


def _step_form(step: str, demand: Demand, parties: set[str], *args: Any, **kwargs: Any) -> forms.StepForm:
    """The declared form of `step`, built for `demand` and the parts the viewer plays in it."""
    form_class = import_string(DEMAND_FLOW.steps[step].form)
    return form_class(*args, demand=demand, parties=parties, **kwargs)


def actions_for(user: Any, demand: Demand) -> list[dict[str, Any]]:
    """The steps `user` may take on `demand` as forms rendered at its current version."""
    parties = DEMAND_FLOW.parties_for(user, demand)
    actions = []
    for step in offered_steps(user, demand, parties):
        label = DEMAND_FLOW.step_label(step)
        if step == Step.DISPATCH and demand.status in HANDLING_STATUSES:
            label = _("改派")
        # Dispatching a demand that has no assignee yet takes nothing from anyone: no warning.
        warning = DEMAND_FLOW.steps[step].warning if step != Step.DISPATCH or demand.assignee_kind else ""
        actions.append(
            {
                "step": step,
                "label": label,
                # Ids per demand and step: the task list shows several demands' dialogs on one page.
                "form": _step_form(
                    step, demand, parties, initial={"version": demand.version}, auto_id=f"{step}-{demand.pk}-%s"
                ),
                "warning": warning,
                "url": reverse("demands:step", args=[demand.public_id, step]),
                "id": f"{step}-{demand.public_id}",
            }
        )
    return actions


def _suggestions(demand: Demand) -> list[Any]:
    from .. import suggest  # H-insight's ranking of who could take it

    return suggest.suggest_for(demand)


@login_required
def demand_detail(request, public_id):
    demand = selectors.get_demand_for_user(request.user, public_id)
    internal = is_worker(request.user, demand)
    parties = DEMAND_FLOW.parties_for(request.user, demand)
    actions = actions_for(request.user, demand)
    may_reveal = internal or Party.ASSIGNEE in parties
    suggestions = None
    if internal and any(a["step"] == Step.DISPATCH for a in actions):
        suggestions = _suggestions(demand)
    log = selectors.full_log(demand) if internal else selectors.public_log(demand)
    for entry in log:
        entry.step_label = DEMAND_FLOW.step_label(entry.step)
    context = {
        "demand": demand,
        "internal": internal,
        "is_requester": Party.REQUESTER in parties,
        "actions": actions,
        "log": log,
        "photos": list(demand.photos.all()),
        "may_reveal": may_reveal,
        "masked_phone": mask_mobile(demand.requester_phone),
        "suggestions": suggestions,
        "active_nav": "demands_desk" if internal else ("demand_mine" if Party.REQUESTER in parties else "demand_tasks"),
    }
    return render(request, "demands/desk/detail.html", context)


@login_required
@require_GET
def photo(request, public_id):
    """A demand's photo, to whoever may open the demand's page (404 for anyone else)."""
    return photo_response(selectors.get_photo_for_user(request.user, public_id).file)


@login_required
@require_POST
def demand_step(request, public_id, step):
    if step not in PAGE_STEPS:
        raise Http404
    demand = find_for_step(request.user, public_id)
    form = _step_form(step, demand, DEMAND_FLOW.parties_for(request.user, demand), request.POST, request.FILES)
    back = request.POST.get("next") or demand.get_absolute_url()
    if not back.startswith("/") or back.startswith("//"):
        back = demand.get_absolute_url()
    if not form.is_valid():
        errors = [f"{form.fields[k].label if k in form.fields else ''} {' '.join(v)}" for k, v in form.errors.items()]
        messages.error(
            request, _("未能%(step)s：%(e)s") % {"step": DEMAND_FLOW.step_label(step), "e": "；".join(errors)}
        )
        return redirect(back)
    try:
        DEMAND_FLOW.service(step)(
            actor=request.user, demand=demand, version=form.cleaned_data["version"], **form.service_kwargs()
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    messages.success(request, DEMAND_FLOW.steps[step].done_message)
    if not DEMAND_FLOW.parties_for(request.user, Demand.objects.get(pk=demand.pk)) and not is_desk(request.user):
        # The step took it out of the user's hands (refused, gave up): back to their tasks.
        return redirect("demands:tasks")
    return redirect(back)


@login_required
@require_POST
def reveal_phone(request, public_id):
    demand = find_for_step(request.user, public_id)
    parties = DEMAND_FLOW.parties_for(request.user, demand)
    if not ({Party.WORKER, Party.ASSIGNEE} & parties):
        raise Http404
    audit_record(
        actor=request.user,
        action=Action.REVEAL,
        obj=demand,
        changes={"field": "requester_phone"},
        ip=client_ip(request),
        area_path=demand.area_path,
    )
    return HttpResponse(demand.requester_phone or _("未留电话"))


# --- the claim board and my tasks -----------------------------------------------------------


@login_required
def demand_board(request):
    if not may_use_board(request.user):
        raise Http404
    claimable = selectors.claimable_demands(request.user)
    page = keyset_page(claimable, selectors.CLAIMABLE_ORDER, **page_params(request), per_page=PAGE_SIZE)
    teams = list(Team.objects.filter(leader=request.user, is_active=True).select_related("area").order_by("name"))
    for demand in page.object_list:
        demand.my_teams = [t for t in teams if t.area.path.startswith(demand.community.path)]
    context = {"page": page, "querystring": querystring_without_page(request), "active_nav": "demand_board"}
    return render(request, "demands/public/board.html", context)


@login_required
@require_POST
@idempotent
def demand_claim(request, public_id):
    if not may_use_board(request.user):
        raise Http404
    demand = Demand.objects.filter(
        public_id=public_id, community_id__in=selectors.claim_communities(request.user)
    ).first()
    if demand is None:
        raise Http404
    form = forms.ClaimForm(request.POST)
    form.fields["team"].queryset = Team.objects.filter(leader=request.user, is_active=True)
    if not form.is_valid():
        messages.error(request, _("认领失败，请刷新后重试。"))
        return redirect("demands:board")
    try:
        services.demand_claim(
            actor=request.user, demand=demand, team=form.cleaned_data.get("team"), version=form.cleaned_data["version"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("demands:board")
    messages.success(request, DEMAND_FLOW.steps[Step.CLAIM].done_message)
    return redirect("demands:tasks")


def _my_links() -> list[dict[str, str]]:
    """My hours and my points, when the time bank and points pages are there."""
    links = []
    for name, label in (("timebank:mine", _("我的时间银行")), ("points:mine", _("我的积分"))):
        try:
            links.append({"url": reverse(name), "label": label})
        except NoReverseMatch:
            continue
    return links


@login_required
def demand_tasks(request):
    if not (may_use_board(request.user) or selectors.my_tasks(request.user).exists()):
        raise Http404
    show = request.GET.get("show", "")
    show = show if show in selectors.TASK_FILTERS else ""
    open_qs = selectors.my_tasks(request.user, show=show)
    open_tasks = list(open_qs[:50])
    for demand in open_tasks:
        demand.actions = actions_for(request.user, demand)
        demand.masked_phone = mask_mobile(demand.requester_phone)
    done_qs = selectors.my_tasks(request.user, done=True)
    done = keyset_page(done_qs, selectors.DONE_TASK_ORDER, **page_params(request), per_page=PAGE_SIZE)
    context = {
        "my_links": _my_links(),
        "open_tasks": open_tasks,
        "open_count": capped_count(open_qs, selectors.COUNT_CAP),
        "show_label": dict(TASK_LABELS).get(show, ""),
        "page": done,
        "querystring": querystring_without_page(request),
        "active_nav": "demand_tasks",
    }
    return render(request, "demands/public/tasks.html", context)
