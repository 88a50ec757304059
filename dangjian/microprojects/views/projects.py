"""The desk: the project list, a new project, the project page with its steps, review meetings,
progress, payments and claims, and the printable dossier."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.audit.printing import printed_record
from dangjian.core.idempotency import idempotent
from dangjian.core.keyset import keyset_page, page_params
from dangjian.core.money import yuan
from dangjian.core.photos import photo_response
from dangjian.core.views import querystring_without_page, require_roles
from dangjian.meetings import counting
from dangjian.meetings.permissions import manages_area
from dangjian.territory.models import Area, Level
from dangjian.territory.selectors import filter_area_options
from dangjian.units.models import ResidentUnit

from .. import selectors
from ..filters import ProjectFilterForm, filter_q
from ..models import Kind, NoteKind, Source, Status
from ..permissions import MANAGE_ROLES
from ..rules import district_rules
from ..services import progress, projects, review
from ..workflow import PROJECT_FLOW, is_subdistrict
from . import NAV, PAGE_SIZE, flash, parse_datetime, parse_percent


@require_roles(MANAGE_ROLES)
def project_list(request):
    status, kind, q = request.GET.get("status", ""), request.GET.get("kind", ""), request.GET.get("q", "").strip()
    qs = selectors.projects(request.user)
    if status in Status.values:
        qs = qs.filter(status=status)
    if kind in Kind.values:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(implementer_name__icontains=q))
    form = ProjectFilterForm(request.GET or None, user=request.user)
    filters = form.list_filters()
    if filters:
        qs = qs.filter(filter_q(**filters))
    page = keyset_page(qs, selectors.PROJECT_ORDER, **page_params(request), per_page=PAGE_SIZE)
    # What the filtered rows actually paid (民生微实事资金), in fen as the figures store sums it.
    amount_total = selectors.paid_fen(qs) if filters else None
    return render(
        request,
        "microprojects/projects.html",
        {
            "page": page,
            "status": status,
            "kind": kind,
            "q": q,
            "statuses": Status.choices,
            "kinds": Kind.choices,
            "form": form,
            "filtered": bool(filters),
            "amount_total": amount_total,
            "paid_total": yuan(amount_total) if amount_total is not None else None,
            # As the cockpit shows it (万元, two decimals).
            "paid_wan": yuan(amount_total) / 10000 if amount_total is not None else None,
            "area_options": filter_area_options(
                request.user, form.fields["area"].queryset, getattr(form, "cleaned_data", {}).get("area")
            ),
            "querystring": querystring_without_page(request),
            "active_nav": NAV,
        },
    )


@require_roles(MANAGE_ROLES)
@idempotent
def project_new(request):
    communities = Area.objects.visible_to(request.user).filter(level=Level.COMMUNITY).order_by("path")
    if request.method == "POST":
        post = request.POST
        try:
            community = communities.filter(public_id=post.get("community") or None).first()
            if community is None:
                raise ValidationError(_("请选择社区。"))
            project = projects.project_propose(
                actor=request.user,
                community=community,
                title=post.get("title", ""),
                description=post.get("description", ""),
                kind=post.get("kind", ""),
                source=post.get("source", ""),
                source_ref=post.get("source_ref", ""),
                estimated_amount=post.get("estimated_amount") or None,
            )
        except ValidationError as exc:
            flash(request, exc)
        else:
            messages.success(request, _("已登记项目，征集整理后可提交议事会评议。"))
            return redirect("microprojects:detail", public_id=project.public_id)
    return render(
        request,
        "microprojects/project_form.html",
        {
            "communities": communities,
            "kinds": Kind.choices,
            "sources": Source.choices,
            "post": request.POST,
            "desk": True,
            "active_nav": NAV,
        },
    )


def detail_context(request, project) -> dict:
    meetings = []
    for rm in selectors.review_meetings(project):
        counted = counting.tally(rm.meeting)
        meetings.append(
            {
                "rm": rm,
                "meeting": rm.meeting,
                "quorum": counting.quorum_text(rm.meeting, counted),
                "results": counting.results(rm.meeting, counted),
            }
        )
    return {
        "project": project,
        "hint": PROJECT_FLOW.state(project.status).hint,
        "rules": district_rules(project.community),
        "meetings": meetings,
        "notes": selectors.notes(project),
        "claims": selectors.claims_of(project),
        "acceptance_photos": selectors.acceptance_photos(project),
        "log": [(row, PROJECT_FLOW.step_label(row.step)) for row in project.log.all()],
    }


def project_detail(request, public_id):
    if not request.user.is_authenticated:
        raise Http404
    project = selectors.project_get(request.user, public_id)
    context = detail_context(request, project)
    manages = manages_area(request.user, project.area_path)
    parties = PROJECT_FLOW.parties_for(request.user, project)
    steps = PROJECT_FLOW.allowed_steps(project.status, parties)
    context.update(
        {
            "manages": manages,
            "steps": [(s, PROJECT_FLOW.step_label(s), PROJECT_FLOW.steps[s]) for s in steps],
            "units": ResidentUnit.objects.filter(community=project.community).order_by("name")[:200]
            if manages and project.status == Status.APPROVED
            else [],
            "kinds": Kind.choices,
            "subdistrict": is_subdistrict(request.user, project.area_path),
            "active_nav": NAV,
        }
    )
    return render(request, "microprojects/project.html", context)


def _step(request, project, post):
    step = post.get("step", "")
    if step not in PROJECT_FLOW.steps:
        raise Http404
    unit = None
    if post.get("implementer_unit"):
        unit = ResidentUnit.objects.filter(community=project.community, public_id=post["implementer_unit"]).first()
    project = projects.project_step(
        actor=request.user,
        project=project,
        step=step,
        note=post.get("note", ""),
        amount=post.get("amount") or None,
        implementer_unit=unit,
        implementer_name=post.get("implementer_name", ""),
        acceptor_name=post.get("acceptor_name", ""),
        final_payment=post.get("final_payment") or None,
    )
    messages.success(
        request,
        str(PROJECT_FLOW.steps[step].done_message)
        % {"obj": PROJECT_FLOW.describe(project), "step": PROJECT_FLOW.step_label(step)},
    )
    return project


@require_POST
@idempotent
def project_act(request, public_id, action):
    if not request.user.is_authenticated:
        raise Http404
    project = selectors.project_get(request.user, public_id)
    post = request.POST
    try:
        if action == "step":
            _step(request, project, post)
        elif not manages_area(request.user, project.area_path):
            raise Http404
        elif action == "update":
            projects.project_update(
                actor=request.user,
                project=project,
                kind=post.get("kind", ""),
                estimated_amount=post.get("estimated_amount", ""),
                description=post.get("description", ""),
            )
            messages.success(request, _("已保存类别和估算金额。"))
        elif action == "meeting":
            meeting = review.review_meeting_call(
                actor=request.user,
                project=project,
                starts_at=parse_datetime(post.get("starts_at", ""), _("开会时间")),
                place=post.get("place", ""),
            )
            messages.success(request, _("已召集议事会评议，请到会议页签到和表决。"))
            return redirect("meetings:detail", public_id=meeting.public_id)
        elif action in ("progress", "acceptance"):
            progress.note_add(
                actor=request.user,
                project=project,
                text=post.get("text", ""),
                photos=request.FILES.getlist("photos"),
                percent=parse_percent(post.get("percent", "")),
                kind=NoteKind.ACCEPTANCE if action == "acceptance" else NoteKind.PROGRESS,
            )
            messages.success(request, _("已记录。"))
        elif action == "payment":
            progress.payment_record(
                actor=request.user,
                project=project,
                amount=post.get("amount", ""),
                payee=post.get("payee", ""),
                memo=post.get("memo", ""),
                key=f"microprojects:{project.public_id}:pay:{post.get('idempotency_key') or uuid.uuid4().hex}",
                voucher=request.FILES.get("voucher"),
            )
            messages.success(request, _("已登记支付。"))
        else:
            raise Http404
    except ValidationError as exc:
        flash(request, exc)
    return redirect("microprojects:detail", public_id=project.public_id)


def photo(request, public_id):
    if not request.user.is_authenticated:
        raise Http404
    return photo_response(selectors.photo_get(request.user, public_id).file)


@require_roles(MANAGE_ROLES)
def project_pdf(request, public_id):
    """The project's dossier for the archive, as a PDF in Chinese (WeasyPrint imported here, so the app
    runs where pango is missing)."""
    project = selectors.project_get(request.user, public_id)
    return printed_record(
        request,
        "microprojects/project_record.html",
        detail_context(request, project),
        obj=project,
        area_path=project.area_path,
        filename=f"project-{project.public_id}",
    )
