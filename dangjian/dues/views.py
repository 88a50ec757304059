"""Dues pages: a member's own dues (phone first), the branches a person acts for, a branch's monthly
sheet (record a payment, enter a pay base, charge the month, remit upward, print the sheet)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dangjian.audit.printing import printed_record
from dangjian.core.db import replica_view
from dangjian.core.idempotency import idempotent, request_key
from dangjian.core.keyset import keyset_page, page_params
from dangjian.core.money import yuan
from dangjian.core.scoping import scope_for
from dangjian.core.views import querystring_without_page, require_roles
from dangjian.territory.selectors import filter_area_options

from . import rules, selectors, services
from .filters import DuesMonthFilterForm, filter_q, paid_total_fen
from .forms import MONTH_RE, CollectForm, PayBaseForm, PaymentForm, PayMineForm, RemitForm
from .models import PayBase
from .permissions import BRANCH_ROLES, FIGURE_ROLES, MEMBER_ROLES


def _key(request) -> str:
    return request_key(request) or services.new_key()


def _month(request) -> datetime.date:
    text = request.GET.get("month") or request.POST.get("month") or ""
    m = MONTH_RE.match(text.strip())
    if m and 1 <= int(m.group(2)) <= 12 and 2000 <= int(m.group(1)) <= 2100:
        return datetime.date(int(m.group(1)), int(m.group(2)), 1)
    return services.current_month()


def _flash(request, exc: ValidationError) -> None:
    messages.error(request, "；".join(exc.messages))


# --- a member's own dues ---------------------------------------------------------------------------


def _mine_context(request, member, *, base_form=None, pay_form=None) -> dict:
    months = selectors.my_months(member)
    base = selectors.current_base(member)
    return {
        "member": member,
        "months": months,
        "outstanding": sum((d.outstanding for d in months), start=services.ZERO),
        "base": base,
        "base_form": base_form
        or PayBaseForm(
            initial={"effective_month": f"{services.current_month():%Y-%m}", "category": getattr(base, "category", "")}
        ),
        "pay_form": pay_form or PayMineForm(),
        "payments": selectors.payments_of(member, limit=10),
        "active_nav": "dues_mine",
    }


@require_roles(MEMBER_ROLES)
@require_GET
def mine(request):
    member = selectors.my_member(request.user)
    if member is None:
        return render(request, "dues/mine_none.html", {"active_nav": "dues_mine"})
    return render(request, "dues/mine.html", _mine_context(request, member))


@require_roles(MEMBER_ROLES)
@require_POST
@idempotent
def mine_pay(request):
    member = selectors.my_member(request.user)
    if member is None:
        raise Http404
    form = PayMineForm(request.POST)
    if not form.is_valid():
        return render(request, "dues/mine.html", _mine_context(request, member, pay_form=form))
    data = form.cleaned_data
    try:
        payments = services.pay_outstanding(
            actor=request.user,
            member=member,
            extra=data["extra"],
            channel=data["channel"],
            external_ref=data["external_ref"],
            key=f"mine:{member.pk}:{_key(request)}",
        )
    except ValidationError as exc:
        _flash(request, exc)
        return render(request, "dues/mine.html", _mine_context(request, member, pay_form=form))
    total = sum((p.amount + p.extra for p in payments), start=services.ZERO)
    messages.success(request, _("已记录交纳党费 %(t)s 元，谢谢！") % {"t": total})
    return redirect("dues:mine")


@require_roles(MEMBER_ROLES)
@require_POST
@idempotent
def mine_base(request):
    member = selectors.my_member(request.user)
    if member is None:
        raise Http404
    form = PayBaseForm(request.POST)
    if form.is_valid():
        try:
            services.paybase_set(actor=request.user, member=member, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("已保存党费计算基数。"))
            return redirect("dues:mine")
    return render(request, "dues/mine.html", _mine_context(request, member, base_form=form))


# --- branches --------------------------------------------------------------------------------------


@require_roles(BRANCH_ROLES)
@require_GET
@replica_view
def branches(request):
    q = request.GET.get("q", "").strip()[:50]
    page = selectors.branches_page(request.user, q=q, **page_params(request))
    scope = scope_for(request.user)
    may_list_months = scope.everything or scope.role in FIGURE_ROLES
    return render(
        request,
        "dues/branches.html",
        {"page": page, "q": q, "may_list_months": may_list_months, "active_nav": "dues_branches"},
    )


@require_roles(FIGURE_ROLES)
@require_GET
@replica_view
def months(request):
    """The member-month dues rows of the territory by place, month and settlement, with what they paid
    toward their dues (the cockpit's 党费足额交纳率 and 党费收缴 link here)."""
    form = DuesMonthFilterForm(request.GET or None, user=request.user)
    filters = form.list_filters()
    qs = selectors.months(request.user)
    if filters:
        qs = qs.filter(filter_q(**filters))
    page = keyset_page(qs, selectors.MONTH_ORDER, **page_params(request), per_page=50)
    amount_total = paid_total_fen(qs)
    return render(
        request,
        "dues/months.html",
        {
            "page": page,
            "form": form,
            "filtered": bool(filters),
            "amount_total": amount_total,
            "paid_total": yuan(amount_total),
            "area_options": filter_area_options(
                request.user, form.fields["area"].queryset, getattr(form, "cleaned_data", {}).get("area")
            ),
            "querystring": querystring_without_page(request),
            "active_nav": "dues_figures",
        },
    )


def _sheet_context(request, org, month, *, remit_form=None, collect_form=None) -> dict:
    page = selectors.sheet_page(org, month, **page_params(request))
    return {
        "org": org,
        "month": month,
        "month_text": f"{month:%Y-%m}",
        "months": [rules.add_months(services.current_month(), -i) for i in range(12)],
        "page": page,
        "collect_form": collect_form or CollectForm(choices=[]),
        "unsettled_on_page": sum(1 for d in page.object_list if not d.settled),
        "figures": selectors.branch_figures(org, selectors.month_period(month)),
        "without_base": selectors.members_without_base(org),
        "held": services.held_balance(org),
        "remittances": selectors.remittances(org, limit=5),
        "remit_form": remit_form or RemitForm(),
        "active_nav": "dues_branches",
    }


@require_roles(BRANCH_ROLES)
@require_GET
def sheet(request, public_id):
    org = selectors.branch_get(request.user, public_id)
    return render(request, "dues/sheet.html", _sheet_context(request, org, _month(request)))


def _back(org, month) -> HttpResponse:
    return redirect(f"{reverse('dues:sheet', args=[org.public_id])}?month={month:%Y-%m}")


@require_roles(BRANCH_ROLES)
@require_POST
@idempotent
def sheet_run(request, public_id):
    org = selectors.branch_get(request.user, public_id)
    month = _month(request)
    if month > services.current_month():
        messages.error(request, _("不能提前生成以后月份的党费。"))
        return _back(org, month)
    result = services.dues_run(actor=request.user, month=month, org=org)
    messages.success(
        request,
        _("已生成 %(m)s 党费：新增 %(n)s 人，已有 %(a)s 人，缺少计算基数 %(w)s 人。")
        % {"m": f"{month:%Y-%m}", "n": result["charged"], "a": result["already"], "w": result["without_base"]},
    )
    return _back(org, month)


@require_roles(BRANCH_ROLES)
@idempotent
def sheet_pay(request, public_id, dues_id):
    """Record a payment toward one member's month (GET: the form; POST: record it)."""
    org = selectors.branch_get(request.user, public_id)
    dues = selectors.dues_in_branch(org, dues_id)
    form = PaymentForm(request.POST or None, initial={"amount": dues.outstanding})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.payment_record(actor=request.user, dues=dues, key=f"branch:{_key(request)}", **data)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("已记录 %(n)s 的党费。") % {"n": dues.member_name})
            return _back(org, dues.month)
    return render(request, "dues/pay.html", {"org": org, "dues": dues, "form": form, "active_nav": "dues_branches"})


@require_roles(BRANCH_ROLES)
@require_POST
@idempotent
def sheet_collect(request, public_id):
    """集中收缴: the branch records that the members ticked on the sheet paid their month in full."""
    org = selectors.branch_get(request.user, public_id)
    month = _month(request)
    # Ticks of another branch or month, settled meanwhile or malformed are dropped, not refused.
    rows = selectors.unsettled_in_branch(org, month, request.POST.getlist("dues")[: selectors.COLLECT_MAX])
    choices = [str(d.public_id) for d in rows]
    data = request.POST.copy()
    data.setlist("dues", [t for t in request.POST.getlist("dues") if t in choices])
    form = CollectForm(data, choices=choices)
    if form.is_valid():
        chosen = set(form.cleaned_data["dues"])
        payments = services.collect(
            actor=request.user,
            org=org,
            dues=[d for d in rows if str(d.public_id) in chosen],
            channel=form.cleaned_data["channel"],
            key=f"branch:{_key(request)}",
        )
        total = sum((p.amount for p in payments), start=services.ZERO)
        messages.success(request, _("已集中收缴 %(n)s 人，共 %(t)s 元。") % {"n": len(payments), "t": total})
        return _back(org, month)
    return render(request, "dues/sheet.html", _sheet_context(request, org, month, collect_form=form))


@require_roles(BRANCH_ROLES)
@idempotent
def branch_base(request, public_id, member_id):
    """Enter a member's pay base for the branch; the current one is shown masked (reveal is audited)."""
    org = selectors.branch_get(request.user, public_id)
    member = selectors.member_in_branch(org, member_id)
    form = PayBaseForm(request.POST or None, initial={"effective_month": f"{services.current_month():%Y-%m}"})
    if request.method == "POST" and form.is_valid():
        try:
            services.paybase_set(actor=request.user, member=member, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("已保存 %(n)s 的党费计算基数。") % {"n": member.name})
            return redirect("dues:sheet", public_id=org.public_id)
    bases = list(PayBase.objects.filter(member=member).order_by("-effective_month")[:12])
    return render(
        request,
        "dues/base.html",
        {"org": org, "member": member, "form": form, "bases": bases, "active_nav": "dues_branches"},
    )


@require_roles(BRANCH_ROLES | MEMBER_ROLES)
@require_POST
def base_reveal(request, public_id):
    """The full pay of one base, for the member or someone acting for their branch; audited."""
    base = PayBase.objects.select_related("member__org__area").filter(public_id=public_id).first()
    if base is None:
        raise Http404
    try:
        value = services.pay_reveal(actor=request.user, base=base)
    except ValidationError as exc:
        raise Http404 from exc
    return render(request, "dues/_revealed.html", {"value": value})


@require_roles(BRANCH_ROLES)
@require_POST
@idempotent
def remit(request, public_id):
    org = selectors.branch_get(request.user, public_id)
    month = _month(request)
    form = RemitForm(request.POST)
    if form.is_valid():
        try:
            services.remit(
                actor=request.user,
                org=org,
                amount=form.cleaned_data["amount"],
                note=form.cleaned_data["note"],
                key=f"branch:{_key(request)}",
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("已上缴至 %(p)s。") % {"p": org.parent})
            return _back(org, month)
    return render(request, "dues/sheet.html", _sheet_context(request, org, month, remit_form=form), status=200)


@require_roles(BRANCH_ROLES)
@require_GET
def sheet_pdf(request, public_id):
    """The branch's monthly dues sheet for the archive (WeasyPrint imported here, as deliberation's)."""
    org = selectors.branch_get(request.user, public_id)
    month = _month(request)
    rows = selectors.sheet_all(org, month)
    return printed_record(
        request,
        "dues/sheet_record.html",
        {
            "org": org,
            "month": month,
            "rows": rows,
            "figures": selectors.branch_figures(org, selectors.month_period(month)),
            "printed_at": timezone.localtime(),
        },
        obj=org,
        area_path=org.area.path,
        filename=f"dues-{month:%Y%m}-{org.public_id}",
        changes={"dues_month": [None, f"{month:%Y-%m}"]},
    )
