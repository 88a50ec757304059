"""Pages of member development. Thin: parse the form, call one service or selector, render.

The board (a branch's people by stage, next due date first), registering an application, a person's
file (every step, vote and document, with the steps the viewer may take), the printable file (PDF)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dangjian.accounts.roles import MANAGER_ROLES, Role
from dangjian.audit.printing import printed_record
from dangjian.core.idempotency import idempotent
from dangjian.core.keyset import keyset_page, page_params
from dangjian.core.views import querystring_without_page, require_roles

from . import rules as R
from . import selectors, services
from .forms import STEP_FIELDS, DocumentForm, RecruitForm, StepForm
from .models import NoticeKind, Stage
from .workflow import DISQUALIFY_VOTED_FROM, RECRUIT_FLOW, Step, parties_of

NAV = "recruitment"
PAGE_SIZE = 20
# Who runs a branch's pipeline: community workers and administrators by territory, officers as members.
BOARD_ROLES = frozenset(MANAGER_ROLES | {Role.PARTY_MEMBER})
# Who may open a file: the above, and the applicant (a resident or member) their own.
FILE_ROLES = frozenset(BOARD_ROLES | {Role.RESIDENT})
DUE_LABEL = {
    Stage.APPLICANT: gettext_lazy("谈话期限"),
    Stage.ACTIVIST: gettext_lazy("最早可确定为发展对象"),
    Stage.CANDIDATE: gettext_lazy("确定为发展对象"),
    Stage.PLANNED: gettext_lazy("最早可提交支部大会"),
    Stage.PENDING_APPROVAL: gettext_lazy("上级党委审批期限"),
    Stage.PROBATIONARY: gettext_lazy("预备期满"),
    Stage.PENDING_CONVERSION: gettext_lazy("上级党委审批期限"),
    Stage.FULL: gettext_lazy("转正"),
    Stage.ENDED: gettext_lazy("终止"),
}


def _flash(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@require_roles(BOARD_ROLES)
def board(request):
    branches = list(selectors.branches(request.user))
    org = next((b for b in branches if str(b.public_id) == request.GET.get("org", "")), None)
    stage = request.GET.get("stage", Stage.APPLICANT)
    if stage not in Stage.values:
        stage = Stage.APPLICANT
    query = request.GET.get("q", "").strip()[:50]
    counts = selectors.stage_counts(request.user, org=org, query=query)
    page = keyset_page(
        selectors.board(request.user, stage=stage, org=org, query=query),
        selectors.BOARD_ORDER,
        **page_params(request),
        per_page=PAGE_SIZE,
        count=counts[stage],
    )
    return render(
        request,
        "recruitment/board.html",
        {
            "branches": branches,
            "org": org,
            "stage": stage,
            "stage_label": Stage(stage).label,
            "due_label": DUE_LABEL[stage],
            "tabs": [(value, label, counts[value]) for value, label in Stage.choices],
            "q": query,
            "page": page,
            "today": timezone.localdate(),
            "querystring": querystring_without_page(request),
            "active_nav": NAV,
        },
    )


@require_roles(BOARD_ROLES)
@idempotent
def new(request):
    branches = [b for b in selectors.branches(request.user) if parties_of(request.user, _Probe(b)) & {"branch"}]
    if not branches:
        raise Http404
    form = RecruitForm(request.POST or None, branches=branches)
    if request.method == "POST" and form.is_valid():
        try:
            recruit = services.recruit_create(actor=request.user, **form.service_kwargs())
        except ValidationError as exc:
            _flash(request, exc)
        else:
            messages.success(request, _("已登记%(n)s的入党申请。") % {"n": recruit.name})
            return redirect("recruitment:detail", public_id=recruit.public_id)
    return render(request, "recruitment/new.html", {"form": form, "active_nav": NAV})


class _Probe:
    """What parties_of reads of a file, for a branch with no file yet."""

    def __init__(self, org):
        self.org_id, self.area_path = org.pk, org.area.path


def file_context(recruit) -> dict:
    rules = R.rules_for(recruit.area_path)
    return {
        "r": recruit,
        "rules": R.describe(rules),
        "votes": list(recruit.votes.all()),
        "documents": list(recruit.documents.all()),
        "spans": list(recruit.spans.order_by("entered_on", "pk")),
        "log": [(row, RECRUIT_FLOW.step_label(row.step)) for row in recruit.log.all()],
        "due_label": DUE_LABEL[recruit.status],
        "notice_label": NoticeKind(recruit.notice_kind).label if recruit.notice_kind else "",
    }


@require_roles(FILE_ROLES)
def detail(request, public_id):
    recruit = selectors.recruit_get(request.user, public_id)
    parties = parties_of(request.user, recruit)
    steps = RECRUIT_FLOW.allowed_steps(recruit.status, parties)
    introducers = selectors.introducer_choices(recruit) if Step.INTRODUCERS in steps else None
    forms = [
        (
            code,
            RECRUIT_FLOW.step_label(code),
            RECRUIT_FLOW.steps[code],
            StepForm(initial={"version": recruit.version}, introducers=introducers, prefix=code),
            () if code == Step.DISQUALIFY and recruit.status != DISQUALIFY_VOTED_FROM else STEP_FIELDS.get(code, ()),
        )
        for code in steps
    ]
    context = file_context(recruit)
    context.update(
        {
            "forms": forms,
            "may_file": "branch" in parties,
            "document_form": DocumentForm(),
            "active_nav": NAV,
        }
    )
    return render(request, "recruitment/detail.html", context)


@require_POST
@require_roles(BOARD_ROLES)
def act(request, public_id, step):
    recruit = selectors.recruit_get(request.user, public_id)
    if step not in RECRUIT_FLOW.steps:
        raise Http404
    introducers = selectors.introducer_choices(recruit) if step == Step.INTRODUCERS else None
    form = StepForm(request.POST, introducers=introducers, prefix=step)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}：{error}" if label else error)
        return redirect("recruitment:detail", public_id=recruit.public_id)
    try:
        recruit = services.recruit_step(actor=request.user, recruit=recruit, step=step, **form.kwargs(step))
    except ValidationError as exc:
        _flash(request, exc)
    else:
        spec = RECRUIT_FLOW.steps[step]
        messages.success(
            request,
            str(spec.done_message) % {"obj": RECRUIT_FLOW.describe(recruit), "step": RECRUIT_FLOW.step_label(step)},
        )
    return redirect("recruitment:detail", public_id=recruit.public_id)


@require_POST
@require_roles(BOARD_ROLES)
@idempotent
def document_add(request, public_id):
    recruit = selectors.recruit_get(request.user, public_id)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.document_add(actor=request.user, recruit=recruit, **form.cleaned_data)
        except ValidationError as exc:
            _flash(request, exc)
        else:
            messages.success(request, _("已归档材料。"))
    else:
        messages.error(request, _("请选择材料类别并填写日期。"))
    return redirect("recruitment:detail", public_id=recruit.public_id)


@require_roles(BOARD_ROLES)
def record_pdf(request, public_id):
    """The person's whole file for the archive, as a PDF (WeasyPrint imported here, as deliberation does)."""
    recruit = selectors.recruit_get(request.user, public_id)
    return printed_record(
        request,
        "recruitment/record.html",
        {**file_context(recruit), "printed": timezone.localdate()},
        obj=recruit,
        area_path=recruit.area_path,
        filename=f"recruit-{recruit.public_id}",
    )
