"""经费管理 pages: the district's overview with the floor check, an area's fund page, allocation entry
and approval, payment entry, vouchers, the kinds' settings. Thin: forms, services, selectors."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.accounts.roles import active_assignment
from dangjian.audit.printing import printed_record
from dangjian.core.db import replica_view
from dangjian.core.idempotency import idempotent
from dangjian.core.keyset import keyset_page, page_params
from dangjian.core.money import yuan
from dangjian.core.tree import subtree_q
from dangjian.core.views import querystring_without_page, require_roles
from dangjian.core.workflow import TransitionRefused
from dangjian.territory.models import Area
from dangjian.territory.selectors import filter_area_options

from . import pages
from .filters import FloorFilterForm, JournalFilterForm, filter_q, total_fen
from .forms import AllocationForm, FundKindForm, PaymentForm
from .models import (
    Account,
    AccountKind,
    Allocation,
    AllocationStatus,
    FloorBasis,
    FundKind,
    Journal,
    JournalKind,
    Level,
)
from .permissions import DESK_ROLES, DISTRICT_ROLES
from .services import book, pay_commitment
from .services.allocations import allocation_approve, allocation_enter, allocation_reject
from .services.kinds import bases_refresh, kind_update
from .workflow import FLOW

PAGE_SIZE = 20


def _own_area(request) -> Area:
    assignment = active_assignment(request.user)
    area = assignment.area if assignment else None
    if area is None:
        raise Http404
    return area


def _district(request) -> Area:
    district = pages.district_of_user_area(_own_area(request))
    if district is None:
        raise Http404
    return district


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or pages.current_year())
    except ValueError:
        year = pages.current_year()
    return min(max(year, 2000), 2100)


@require_roles(DESK_ROLES)
@replica_view
def overview(request):
    """The district (or the user's own node): per area × kind for a year, with the floor check."""
    own = _own_area(request)
    if own.level == Level.COMMUNITY:
        return redirect("funds:area", public_id=own.public_id)
    district, year = _district(request), _year(request)
    kinds = [k for k in pages.kinds_of(district) if k.rule != "none"]
    rows = pages.floor_rows(district, own, year, kinds=kinds)
    short = sum(1 for row in rows if row.short)
    return render(
        request,
        "funds/overview.html",
        {
            "node": own,
            "year": year,
            "years": pages.years_around(pages.current_year()),
            "kinds": kinds,
            "community_kinds": [k for k in kinds if k.level == Level.COMMUNITY],
            "subdistrict_kinds": [k for k in kinds if k.level == Level.SUBDISTRICT],
            "rows": rows,
            "short": short,
            # The areas below a floor, flagged in the table: what the 今日待办 item that opens this page counts.
            "open_count": short,
            "pending": Allocation.objects.visible_to(request.user).filter(status=AllocationStatus.PENDING).count(),
            "active_nav": "funds",
        },
    )


FLOOR_MET = {"yes": True, "no": False}


@require_roles(DESK_ROLES)
@replica_view
def floors(request):
    """Each (community or subdistrict, fund kind) in the viewer's territory with a floor for the year,
    allocated against it (the cockpit's 经费保底达标率 links here): by place, kind and met or not."""
    own = _own_area(request)
    district = _district(request)
    kinds = [k for k in pages.kinds_of(district) if k.rule != "none"]
    form = FloorFilterForm(request.GET or None, user=request.user, kinds=kinds)
    filters = form.list_filters()
    year = filters.get("year") or pages.current_year()
    node = filters.get("area") or own
    items = pages.floor_items(district, node, year, kind=filters.get("kind", ""), met=FLOOR_MET.get(filters.get("met")))
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "funds/floors.html",
        {
            "node": node,
            "year": year,
            "reckoned": FloorBasis.objects.filter(subtree_q("area__path", node.path), year=year).exists(),
            "page": page,
            "form": form,
            "filtered": bool(filters),
            "area_options": filter_area_options(
                request.user, form.fields["area"].queryset, getattr(form, "cleaned_data", {}).get("area")
            ),
            "querystring": querystring_without_page(request),
            "active_nav": "funds",
        },
    )


@require_roles(DESK_ROLES)
def area_page(request, public_id):
    """A community's (or subdistrict's) funds: balances per kind, commitments, journals, vouchers."""
    area = Area.objects.get_for_user(request.user, public_id, level__in=[Level.COMMUNITY, Level.SUBDISTRICT])
    district, year = pages.district_of_user_area(area), _year(request)
    kind = request.GET.get("kind", "")
    if kind not in JournalKind.values:
        kind = ""
    page = keyset_page(
        pages.journals(area, year=year, kind=kind), pages.JOURNAL_ORDER, **page_params(request), per_page=PAGE_SIZE
    )
    rows = pages.attach_people(list(page.object_list))
    names = {k.code: k.name for k in FundKind.objects.filter(district=district)} if district else {}
    for row in rows:
        row.fund_name = names.get(row.fund, row.fund)
    return render(
        request,
        "funds/area.html",
        {
            "area": area,
            "year": year,
            "years": pages.years_around(pages.current_year()),
            "balances": pages.balances(area, district, year) if district else [],
            "commitments": pages.label_commitments(list(pages.commitments(area, year).order_by("-id")[:50])),
            "page": page,
            "rows": rows,
            "kind": kind,
            "journal_kinds": JournalKind.choices,
            "querystring": querystring_without_page(request),
            "active_nav": "funds",
        },
    )


@require_roles(DESK_ROLES)
@replica_view
def journals(request):
    """The journals of the viewer's territory by place, day and kind, with their total (the cockpit's
    经费拨付 and 经费支出 link here). Read only: journals are append-only."""
    form = JournalFilterForm(request.GET or None, user=request.user)
    filters = form.list_filters()
    qs = Journal.objects.visible_to(request.user)
    if filters:
        qs = qs.filter(filter_q(**filters))
    page = keyset_page(qs.select_related("area"), pages.JOURNAL_ORDER, **page_params(request), per_page=PAGE_SIZE)
    rows = list(page.object_list)
    assignment = active_assignment(request.user)
    district = pages.district_of_user_area(assignment.area) if assignment and assignment.area else None
    names = {k.code: k.name for k in FundKind.objects.filter(district=district)} if district else {}
    for row in rows:
        row.fund_name = names.get(row.fund, row.fund)
    amount_total = total_fen(qs)
    return render(
        request,
        "funds/journals.html",
        {
            "page": page,
            "rows": rows,
            "form": form,
            "filtered": bool(filters),
            "amount_total": amount_total,
            "total": yuan(amount_total),
            "kind_label": dict(JournalKind.choices).get(filters.get("kind", "")),
            "area_options": filter_area_options(
                request.user, form.fields["area"].queryset, getattr(form, "cleaned_data", {}).get("area")
            ),
            "querystring": querystring_without_page(request),
            "active_nav": "funds",
        },
    )


@require_roles(DESK_ROLES)
def area_pdf(request, public_id):
    """The area's 年度经费台账 for the archive: balances, the year's journals in order, sums per kind."""
    area = Area.objects.get_for_user(request.user, public_id, level__in=[Level.COMMUNITY, Level.SUBDISTRICT])
    district, year = pages.district_of_user_area(area), _year(request)
    return printed_record(
        request,
        "funds/statement.html",
        {
            "area": area,
            "year": year,
            "balances": pages.balances(area, district, year) if district else [],
            "journal_kinds": JournalKind.choices,
            "printed_at": timezone.localtime(),
            **pages.statement(area, district, year),
        },
        obj=area,
        area_path=area.path,
        filename=f"funds-{area.public_id}-{year}",
        changes={"year": [None, year]},
    )


@require_roles(DISTRICT_ROLES)
def allocations(request):
    status = request.GET.get("status", AllocationStatus.PENDING)
    if status not in AllocationStatus.values:
        status = AllocationStatus.PENDING
    qs = Allocation.objects.visible_to(request.user).filter(status=status)
    page = keyset_page(qs, ("-id",), **page_params(request), per_page=PAGE_SIZE)
    ids = [a.pk for a in page.object_list]
    full = {a.pk: a for a in Allocation.objects.filter(pk__in=ids).select_related("area", "entered_by", "approver")}
    names = {k.code: k.name for k in FundKind.objects.filter(district=_district(request))}
    rows = [full[pk] for pk in ids]
    for row in rows:
        row.fund_name = names.get(row.fund, row.fund)
    return render(
        request,
        "funds/allocations.html",
        {
            "page": page,
            "rows": rows,
            "status": status,
            "statuses": AllocationStatus.choices,
            "querystring": querystring_without_page(request),
            "active_nav": "funds_allocations",
        },
    )


@require_roles(DISTRICT_ROLES)
@idempotent
def allocation_new(request):
    district = _district(request)
    kinds = book.ensure_kinds(district)
    form = AllocationForm(request.POST or None, district=district, kinds=kinds, initial={"year": pages.current_year()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            allocation = allocation_enter(
                actor=request.user,
                area=data["area"],
                kind=data["kind"],
                year=data["year"],
                amount=data["amount"],
                memo=data["memo"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("已录入，等待另一名区级管理员审批。"))
            return redirect("funds:allocation", public_id=allocation.public_id)
    return render(request, "funds/allocation_new.html", {"form": form, "active_nav": "funds_allocations"})


def _allocation(request, public_id) -> Allocation:
    qs = Allocation.objects.select_related("area", "district", "entered_by", "approver", "journal")
    return qs.get_for_user(request.user, public_id)


@require_roles(DISTRICT_ROLES)
def allocation(request, public_id):
    obj = _allocation(request, public_id)
    parties = FLOW.parties_for(request.user, obj)
    kind = FundKind.objects.filter(district=obj.district, code=obj.fund).first()
    return render(
        request,
        "funds/allocation.html",
        {
            "obj": obj,
            "kind": kind,
            "state": FLOW.states[obj.status],
            "steps": [
                {"code": code, "label": FLOW.step_label(code), "spec": FLOW.steps[code]}
                for code in FLOW.allowed_steps(obj.status, parties)
            ],
            "log": [
                {"row": row, "label": FLOW.step_label(row.step)}
                for row in obj.log.select_related("actor").order_by("at", "pk")
            ],
            "is_enterer": obj.entered_by_id == request.user.pk,
            "active_nav": "funds_allocations",
        },
    )


@require_roles(DISTRICT_ROLES)
@require_POST
def allocation_step(request, public_id, step):
    obj = _allocation(request, public_id)
    services = {"approve": allocation_approve, "reject": allocation_reject}
    service = services.get(step)
    if service is None:
        raise Http404
    try:
        service(actor=request.user, allocation=obj, note=request.POST.get("note", ""))
    except (ValidationError, TransitionRefused) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, str(FLOW.steps[step].done_message))
    return redirect("funds:allocation", public_id=obj.public_id)


@require_roles(DESK_ROLES)
@idempotent
def pay(request, public_id):
    """A payment from one commitment: amount, payee, memo and a voucher; the actor is the approver."""
    account = Account.objects.select_related("area").get_for_user(request.user, public_id, kind=AccountKind.COMMITMENT)
    form = PaymentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pay_commitment(
                actor=request.user,
                holder=account.holder,
                amount=data["amount"],
                payee=data["payee"],
                memo=data["memo"],
                key=f"funds.pay:{request.user.pk}:{request.POST.get('idempotency_key') or uuid.uuid4().hex}",
                voucher=data["voucher"],
                approver=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("已支付 %(a)s 元。") % {"a": data["amount"]})
            return redirect("funds:area", public_id=account.area.public_id)
    pages.label_commitments([account])
    return render(request, "funds/pay.html", {"account": account, "form": form, "active_nav": "funds"})


@require_roles(DESK_ROLES)
def voucher(request, public_id):
    journal = Journal.objects.get_for_user(request.user, public_id)
    if not journal.voucher:
        raise Http404
    name = journal.voucher.name.rsplit("/", 1)[-1]
    return FileResponse(journal.voucher.open("rb"), as_attachment=True, filename=name)


@require_roles(DISTRICT_ROLES)
def kinds_settings(request):
    district = _district(request)
    return render(
        request,
        "funds/settings.html",
        {
            "district": district,
            "kinds": book.ensure_kinds(district),
            "year": pages.current_year(),
            "bases": FloorBasis.objects.filter(area__path__startswith=district.path, year=pages.current_year()).count(),
            "active_nav": "funds_settings",
        },
    )


@require_roles(DISTRICT_ROLES)
@require_POST
def bases(request):
    """Reckon this year's floor bases (households from the estates, members on the books) again."""
    district, year = _district(request), pages.current_year()
    try:
        written = bases_refresh(actor=request.user, district=district, year=year)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已核定 %(n)s 个社区和街道 %(y)s 年的户数和党员数。") % {"n": written, "y": year})
    return redirect("funds:settings")


@require_roles(DISTRICT_ROLES)
def kind_edit(request, public_id):
    kind = FundKind.objects.get_for_user(request.user, public_id, district=_district(request))
    form = FundKindForm(request.POST or None, instance=kind)
    if request.method == "POST" and form.is_valid():
        try:
            kind_update(actor=request.user, kind=kind, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("已保存。"))
            return redirect("funds:settings")
    return render(request, "funds/kind_edit.html", {"kind": kind, "form": form, "active_nav": "funds_settings"})
