"""The register: the list (keyset, search, filters), a worker's page and record (PDF), adding and
changing a worker, posts held, a place on the ladder, audited reveals, and 我的档案 for the worker."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.audit.printing import printed_record
from dangjian.audit.services import Action, audit_record
from dangjian.core.db import replica_view
from dangjian.core.keyset import keyset_page, page_params
from dangjian.core.views import client_ip, querystring_without_page, require_roles
from dangjian.imports.permissions import may_see_full_values
from dangjian.territory.selectors import filter_area_options

from .. import selectors
from ..filters import WorkerFilterForm, filter_q
from ..forms import GradeForm, PostHeldForm, WorkerForm
from ..ladder import LadderTable
from ..models import GradeReason, WorkerKind
from ..permissions import MANAGE_ROLES
from ..services import workers as services
from . import NAV, PAGE_SIZE, flash, form_errors


@require_roles(MANAGE_ROLES)
@replica_view
def home(request):
    q, kind = request.GET.get("q", ""), request.GET.get("kind", "")
    gone = request.GET.get("left") == "1"
    qs = selectors.workers(request.user, q=q, kind=kind, active=not gone)
    form = WorkerFilterForm(request.GET or None, user=request.user)
    filters = form.list_filters()
    if filters:
        qs = qs.filter(filter_q(**filters))
    page = keyset_page(qs, selectors.WORKER_ORDER, **page_params(request), per_page=PAGE_SIZE)
    return render(
        request,
        "workforce/home.html",
        {
            "page": page,
            "q": q,
            "kind": kind,
            "left": gone,
            "kinds": WorkerKind.choices,
            "form": form,
            "filtered": bool(filters),
            "area_options": filter_area_options(
                request.user, form.fields["area"].queryset, getattr(form, "cleaned_data", {}).get("area")
            ),
            "querystring": querystring_without_page(request),
            "active_nav": NAV,
        },
    )


def _data(form) -> dict:
    data = dict(form.cleaned_data)
    data.pop("area", None)
    return data


@require_roles(MANAGE_ROLES)
def worker_new(request):
    areas = list(selectors.communities(request.user))
    form = WorkerForm(request.POST or None, areas=areas, initial={"placed": True})
    if request.method == "POST" and form.is_valid():
        area = next(a for a in areas if str(a.public_id) == form.cleaned_data["area"])
        try:
            worker = services.worker_save(actor=request.user, area=area, data=_data(form))
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已登记%(n)s。") % {"n": worker.name})
            return redirect("workforce:worker", public_id=worker.public_id)
    return render(request, "workforce/worker_form.html", {"form": form, "active_nav": NAV})


@require_roles(MANAGE_ROLES)
def worker_edit(request, public_id):
    worker = selectors.worker_get(request.user, public_id)
    areas = list(selectors.communities(request.user))
    initial = {f: getattr(worker, f) for f in services.FIELDS} | {"area": str(worker.area.public_id)}
    initial["id_number"], initial["mobile"] = "", ""
    form = WorkerForm(request.POST or None, areas=areas, initial=initial)
    if request.method == "POST" and form.is_valid():
        area = next(a for a in areas if str(a.public_id) == form.cleaned_data["area"])
        data = _data(form)
        # Blank personal fields keep what is on record (the form never shows them in full).
        data["id_number"] = data["id_number"] or worker.id_number
        data["mobile"] = data["mobile"] or worker.mobile
        try:
            services.worker_save(actor=request.user, area=area, data=data, worker=worker)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("workforce:worker", public_id=worker.public_id)
    return render(request, "workforce/worker_form.html", {"form": form, "worker": worker, "active_nav": NAV})


def _worker_context(worker) -> dict:
    ladder = selectors.active_ladder_for(worker.area_path)
    pay = None
    if worker.post_id and worker.grade and ladder is not None and worker.post.ladder_id == ladder.pk:
        pay = LadderTable.load(ladder).monthly(
            worker.grade, kind=worker.kind, is_committee=worker.is_committee, dual_role=worker.dual_role
        )
    return {
        "worker": worker,
        "ladder": ladder,
        "pay": pay,
        "posts_held": list(worker.posts_held.all()),
        "grades": list(worker.grade_history.select_related("post", "ladder")),
        "training": list(worker.training_years.order_by("-year")[:10]),
        "proposals": list(worker.proposals.select_related("post").order_by("-year")[:10]),
        "age": timezone.localdate().year - worker.birth_date.year,
    }


@require_roles(MANAGE_ROLES)
def worker_detail(request, public_id):
    worker = selectors.worker_get(request.user, public_id)
    context = _worker_context(worker)
    ladder = context["ladder"]
    context.update(
        {
            "may_reveal": may_see_full_values(request.user),
            "grade_form": GradeForm(posts=list(ladder.posts.all()) if ladder else []) if ladder else None,
            "held_form": PostHeldForm(),
            "active_nav": NAV,
        }
    )
    return render(request, "workforce/worker.html", context)


@require_POST
@require_roles(MANAGE_ROLES)
def worker_act(request, public_id, action):
    worker = selectors.worker_get(request.user, public_id)
    try:
        if action == "grade":
            ladder = selectors.active_ladder_for(worker.area_path)
            if ladder is None:
                raise ValidationError(_("本区还没有执行中的岗位等级薪酬方案。"))
            form = GradeForm(request.POST, posts=list(ladder.posts.all()))
            if not form.is_valid():
                raise ValidationError(_("请选择岗位并填写起始日期。"))
            post = ladder.posts.get(pk=form.cleaned_data["post"])
            services.worker_grade_set(
                actor=request.user,
                worker=worker,
                post=post,
                grade=form.cleaned_data["grade"],
                since=form.cleaned_data["since"],
                reason=GradeReason.ENTRY if worker.post_id is None else GradeReason.ADJUST,
            )
            messages.success(request, _("已定岗定级。"))
        elif action == "held":
            form = PostHeldForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("请填写职务和任职开始日期。"))
            services.post_held_add(actor=request.user, worker=worker, **form.cleaned_data)
            messages.success(request, _("已添加任职经历。"))
        elif action == "leave":
            services.worker_leave(actor=request.user, worker=worker, left_on=timezone.localdate())
            messages.success(request, _("%(n)s已离岗。") % {"n": worker.name})
        else:
            raise ValidationError(_("无效的操作。"))
    except ValidationError as exc:
        flash(request, exc)
    return redirect("workforce:worker", public_id=worker.public_id)


@require_POST
@require_roles(MANAGE_ROLES)
def worker_reveal(request, public_id, field):
    """A worker's full ID number or mobile, for a role whose work needs it; every reveal is audited."""
    worker = selectors.worker_get(request.user, public_id)
    if field not in ("id_number", "mobile") or not may_see_full_values(request.user):
        raise Http404
    audit_record(
        actor=request.user,
        action=Action.REVEAL,
        obj=worker,
        changes={"field": field},
        ip=client_ip(request),
        area_path=worker.area_path,
    )
    return HttpResponse(getattr(worker, field) or _("未登记"))


@require_roles(MANAGE_ROLES)
def worker_pdf(request, public_id):
    """The worker's record for the file, as a PDF in Chinese (WeasyPrint imported here, so the app runs
    where pango is missing); ID number and mobile masked."""
    worker = selectors.worker_get(request.user, public_id)
    return printed_record(
        request,
        "workforce/worker_record.html",
        {**_worker_context(worker), "now": timezone.now()},
        obj=worker,
        area_path=worker.area_path,
        filename=f"worker-{worker.public_id}",
    )


@login_required
def mine(request):
    """我的档案: a worker's own post, grade, step-ups and training hours (their account linked)."""
    worker = selectors.Worker.objects.filter(user=request.user, active=True).select_related("area", "post").first()
    context = _worker_context(worker) if worker is not None else {"worker": None}
    return render(request, "workforce/mine.html", {**context, "active_nav": "workforce_mine"})
