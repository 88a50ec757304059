"""Time-bank pages: a person's own account (phone first) and a community worker's ledger page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.accounts.roles import active_assignment
from dangjian.core.keyset import keyset_page, page_params
from dangjian.core.text import mask_mobile
from dangjian.core.views import querystring_without_page, require_roles
from dangjian.territory.models import Area, Level

from . import selectors, services
from .forms import CorrectionForm, GrantForm, TransferForm
from .models import AccountKind, Journal
from .permissions import WORKER_ROLES

PAGE_SIZE = 20


def _refusal(form, exc: ValidationError) -> None:
    form.add_error(None, exc.messages)


# --- a person's own account ----------------------------------------------------------------------


@login_required
def mine(request, form=None):
    """My balance, what each movement was, and the transfer form. Only ever the signed-in person's own."""
    q = request.GET.get("q", "").strip()
    page = selectors.statement(request.user, page=request.GET.get("page", 1), per_page=PAGE_SIZE, q=q)
    return render(
        request,
        "timebank/mine.html",
        {
            "balance": services.balance(request.user),
            "page": page,
            "q": q,
            "querystring": querystring_without_page(request),
            "form": form or TransferForm(sender=request.user),
            "active_nav": "timebank_mine",
        },
    )


@login_required
@require_POST
def transfer(request):
    """Two steps: the form is checked and a confirmation shown; the confirmed post moves the hours."""
    form = TransferForm(request.POST, sender=request.user)
    if not form.is_valid():
        return mine(request, form=form)
    data = form.cleaned_data
    if request.POST.get("confirmed") != "1":
        return render(
            request,
            "timebank/transfer_confirm.html",
            {
                "form": form,
                "data": data,
                "recipient_name": selectors.mask_name(str(form.recipient)),
                "recipient_mobile": mask_mobile(form.recipient.mobile or ""),
                "balance": services.balance(request.user),
                "active_nav": "timebank_mine",
            },
        )
    try:
        services.transfer(
            from_user=request.user,
            to_user=form.recipient,
            hours=data["hours"],
            key=f"transfer:{request.user.pk}:{data['key']}",
            memo=data["memo"] or _("转赠"),
            actor=request.user,
        )
    except ValidationError as exc:
        _refusal(form, exc)
        return mine(request, form=form)
    messages.success(request, _("已转出 %(h)s 小时。") % {"h": data["hours"]})
    return redirect("timebank:mine")


# --- the community's ledger ----------------------------------------------------------------------


def _community(request, public_id) -> Area:
    return Area.objects.get_for_user(request.user, public_id, level=Level.COMMUNITY)


@require_roles(WORKER_ROLES)
def community_home(request):
    assignment = active_assignment(request.user)
    area = assignment.area if assignment else None
    if area is None or area.level != Level.COMMUNITY:
        raise Http404
    return redirect("timebank:community_detail", public_id=area.public_id)


def _community_page(request, community: Area, *, grant_form=None):
    q = request.GET.get("q", "").strip()
    journals = selectors.community_journals(community, q=q)
    page = keyset_page(
        journals,
        selectors.JOURNAL_ORDER,
        **page_params(request),
        per_page=PAGE_SIZE,
    )
    rows = [
        {"journal": j, "lines": selectors.journal_lines(j), "correctable": selectors.is_correctable(j)}
        for j in page.object_list
    ]
    balances = selectors.community_balances(community)
    return render(
        request,
        "timebank/community.html",
        {
            "community": community,
            "pool": balances[AccountKind.POOL],
            "issued": -balances[AccountKind.ISSUANCE],
            "escrow": balances[AccountKind.ESCROW],
            "page": page,
            "rows": rows,
            "q": q,
            "querystring": querystring_without_page(request),
            "grant_form": grant_form or GrantForm(),
            "active_nav": "timebank_community",
        },
    )


@require_roles(WORKER_ROLES)
def community(request, public_id):
    return _community_page(request, _community(request, public_id))


@require_roles(WORKER_ROLES)
@require_POST
def grant(request, public_id):
    community_area = _community(request, public_id)
    form = GrantForm(request.POST)
    if not form.is_valid():
        return _community_page(request, community_area, grant_form=form)
    data = form.cleaned_data
    if request.POST.get("confirmed") != "1":
        return render(
            request,
            "timebank/grant_confirm.html",
            {
                "community": community_area,
                "form": form,
                "data": data,
                "recipient": form.recipient,
                "recipient_mobile": mask_mobile(form.recipient.mobile or ""),
                "pool": selectors.community_balances(community_area)[AccountKind.POOL],
                "active_nav": "timebank_community",
            },
        )
    try:
        services.pool_grant(
            community=community_area,
            to_user=form.recipient,
            hours=data["hours"],
            key=f"grant:{community_area.pk}:{data['key']}",
            memo=data["memo"],
            actor=request.user,
        )
    except ValidationError as exc:
        _refusal(form, exc)
        return _community_page(request, community_area, grant_form=form)
    messages.success(request, _("已从互助池发放 %(h)s 小时。") % {"h": data["hours"]})
    return redirect("timebank:community_detail", public_id=community_area.public_id)


@require_roles(WORKER_ROLES)
def correct(request, public_id):
    """A correction behind a confirmation: the reason is required and the reversing journal audited."""
    journal = Journal.objects.select_related("community", "created_by").get_for_user(request.user, public_id)
    if journal.community is None:
        raise Http404
    form = CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.correct(journal=journal, reason=form.cleaned_data["reason"], actor=request.user)
        except ValidationError as exc:
            _refusal(form, exc)
        else:
            messages.success(request, _("已冲正。"))
            return redirect("timebank:community_detail", public_id=journal.community.public_id)
    return render(
        request,
        "timebank/correct.html",
        {
            "journal": journal,
            "lines": selectors.journal_lines(journal),
            "correctable": selectors.is_correctable(journal),
            "form": form,
            "active_nav": "timebank_community",
        },
    )
