"""四议两公开: the list, a new run with its matters, the run page (stage meetings, steps,
disclosures and residents' questions) and the printable record."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.audit.printing import printed_record
from dangjian.core.keyset import keyset_page, page_params
from dangjian.core.views import querystring_without_page, require_roles
from dangjian.meetings import counting
from dangjian.territory.models import Area, Level
from dangjian.territory.selectors import filter_area_options

from .. import selectors
from ..filters import RUN_VIEWS, RunFilterForm, run_filter_q
from ..models import RunStatus, Stage
from ..permissions import MANAGE_ROLES
from ..rules import district_rules, matter_kinds
from ..services import disclosures as disclosure_services
from ..services import runs as services
from ..services.links import DECIDED_RUN
from ..workflow import RUN_FLOW, STATUS_STAGE, Party, RunStep
from . import NAV, PAGE_SIZE, flash, parse_datetime, roster_lines

DISCLOSE_STEPS = {RunStep.PUBLISH_RESOLUTION, RunStep.PUBLISH_RESULT}
MATTER_ROWS = 5


@require_roles(MANAGE_ROLES)
def run_list(request):
    """The runs in scope, or with ?view=matters their matters; filtered by status, place, days of the
    proposal and 不含撤回 (deliberation.filters). Filtered, the page shows the count and the matters'
    total amount (`amount_total`, in fen, as the figures store sums it)."""
    status = request.GET.get("status", "")
    view = request.GET.get("view", "")
    view = view if view in dict(RUN_VIEWS) else "runs"
    qs = selectors.runs(request.user)
    if status in RunStatus.values:
        qs = qs.filter(status=status)
    form = RunFilterForm(request.GET or None, user=request.user)
    filters = form.list_filters()
    if filters:
        qs = qs.filter(run_filter_q(**filters))
    if view == "matters":
        page = keyset_page(selectors.matters_of(qs), selectors.MATTER_ORDER, **page_params(request), per_page=PAGE_SIZE)
    else:
        page = keyset_page(qs, selectors.RUN_ORDER, **page_params(request), per_page=PAGE_SIZE)
    filtered = bool(filters) or bool(status)
    amount_total = selectors.matters_amount_fen(qs) if filtered else None
    return render(
        request,
        "deliberation/runs.html",
        {
            "page": page,
            "status": status,
            "statuses": RunStatus.choices,
            "view": view,
            "views": RUN_VIEWS,
            "form": form,
            "filtered": filtered,
            "amount_total": amount_total,
            "amount_wan": None if amount_total is None else Decimal(amount_total) / 1_000_000,
            "area_options": filter_area_options(
                request.user, form.fields["area"].queryset, getattr(form, "cleaned_data", {}).get("area")
            ),
            "querystring": querystring_without_page(request),
            "active_nav": NAV,
        },
    )


@require_roles(MANAGE_ROLES)
def run_new(request):
    communities = Area.objects.visible_to(request.user).filter(level=Level.COMMUNITY).order_by("path")
    first = communities.first()
    if first is None:
        raise Http404
    kinds = list(matter_kinds(first))
    if request.method == "POST":
        post = request.POST
        try:
            community = communities.filter(public_id=post.get("community") or None).first()
            if community is None:
                raise ValidationError(_("请选择社区。"))
            by_pk = {str(k.pk): k for k in matter_kinds(community)}
            matters = []
            for i in range(MATTER_ROWS):
                title = post.get(f"matter_title_{i}", "").strip()
                if not title:
                    continue
                kind = by_pk.get(post.get(f"matter_kind_{i}", ""))
                if kind is None:
                    raise ValidationError(_("第 %(n)s 个事项：请选择事项类别。") % {"n": i + 1})
                matters.append({"kind": kind, "title": title, "amount": post.get(f"matter_amount_{i}", "0")})
            run = services.run_start(
                actor=request.user,
                community=community,
                title=post.get("title", ""),
                matters=matters,
                merged=post.get("merged") == "1",
            )
        except ValidationError as exc:
            flash(request, exc)
        else:
            messages.success(request, _("已登记党组织提议，请召开党组织会议。"))
            return redirect("deliberation:run", public_id=run.public_id)
    return render(
        request,
        "deliberation/run_form.html",
        {
            "communities": communities,
            "kinds": kinds,
            "rows": range(MATTER_ROWS),
            "merge_allowed": district_rules(first).merge_allowed,
            "post": request.POST,
            "active_nav": NAV,
        },
    )


def run_context(run) -> dict:
    held = selectors.run_meetings(run)
    stages = []
    for code, label in Stage.choices:
        rows = []
        for rm in (h for h in held if h.stage == code):
            counted = counting.tally(rm.meeting)
            rows.append(
                {
                    "rm": rm,
                    "meeting": rm.meeting,
                    "quorum": counting.quorum_text(rm.meeting, counted),
                    "results": counting.results(rm.meeting, counted),
                }
            )
        stages.append({"code": code, "label": label, "rows": rows, "current": STATUS_STAGE.get(run.status) == code})
    disclosures = list(run.disclosures.all())
    questions = selectors.questions_of(disclosures)
    return {
        "run": run,
        "matters": list(run.matters.select_related("kind")),
        "stages": stages,
        "disclosures": [(d, questions[d.pk]) for d in disclosures],
        "log": [(row, RUN_FLOW.step_label(row.step)) for row in run.log.all()],
    }


@require_roles(MANAGE_ROLES)
def run_detail(request, public_id):
    run = selectors.run_get(request.user, public_id)
    steps = RUN_FLOW.allowed_steps(run.status, {Party.COMMITTEE})
    if run.merged:
        steps = [s for s in steps if s != RunStep.PASS_PROPOSE]
    elif not district_rules(run.community).merge_allowed:
        steps = [s for s in steps if s != RunStep.PASS_MERGED]
    context = run_context(run)
    if run.status in DECIDED_RUN:
        made = selectors.links_of(run=run)
        context["link_rows"] = [
            (m, made.get((m.pk, "case")), made.get((m.pk, "demand")), made.get((m.pk, "project")))
            for m in context["matters"]
        ]
    context.update(
        {
            "steps": [(s, RUN_FLOW.step_label(s), RUN_FLOW.steps[s], s in DISCLOSE_STEPS) for s in steps],
            "current_stage": STATUS_STAGE.get(run.status),
            "active_nav": NAV,
        }
    )
    return render(request, "deliberation/run.html", context)


@require_POST
@require_roles(MANAGE_ROLES)
def run_act(request, public_id, action):
    run = selectors.run_get(request.user, public_id)
    post = request.POST
    try:
        if action == "step":
            step = post.get("step", "")
            if step not in RUN_FLOW.steps:
                raise Http404
            run = services.run_step(
                actor=request.user, run=run, step=step, note=post.get("note", ""), text=post.get("text", "")
            )
            messages.success(
                request,
                str(RUN_FLOW.steps[step].done_message)
                % {"obj": RUN_FLOW.describe(run), "step": RUN_FLOW.step_label(step)},
            )
        elif action == "meeting":
            households = post.get("households_total", "").strip()
            meeting = services.stage_meeting_call(
                actor=request.user,
                run=run,
                starts_at=parse_datetime(post.get("starts_at", ""), _("开会时间")),
                place=post.get("place", ""),
                roster=roster_lines(post.get("roster", "")),
                assembly=post.get("assembly") == "1",
                households_total=int(households) if households.isdigit() else None,
            )
            messages.success(request, _("已召集%(m)s。") % {"m": meeting.kind_label})
            return redirect("meetings:detail", public_id=meeting.public_id)
        elif action == "answer":
            question = selectors.question_get(request.user, post.get("question"))
            disclosure_services.question_answer(actor=request.user, question=question, answer=post.get("answer", ""))
            messages.success(request, _("已答复居民提问。"))
        else:
            raise Http404
    except ValidationError as exc:
        flash(request, exc)
    return redirect("deliberation:run", public_id=run.public_id)


@require_roles(MANAGE_ROLES)
def run_pdf(request, public_id):
    """The whole run for the archive, as a PDF in Chinese (WeasyPrint is imported here, so the app
    runs where pango is missing)."""
    run = selectors.run_get(request.user, public_id)
    return printed_record(
        request,
        "deliberation/run_record.html",
        {**run_context(run), "district": district_rules(run.community)},
        obj=run,
        area_path=run.area_path,
        filename=f"run-{run.public_id}",
    )
