"""Pages of the notices: the issuer's list, 新建通知, the notice with its receipts (counts, list by state,
search, export of who has not signed, 一键提醒), publish and withdraw with confirmation; the recipient's
我的通知 with 签收; public notices for residents."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dangjian.core.db import replica_view
from dangjian.core.idempotency import idempotent
from dangjian.core.keyset import keyset_page, page_params
from dangjian.core.photos import photo_response
from dangjian.core.views import querystring_without_page, require_roles

from . import selectors, services
from .exports import unsigned_export_response
from .forms import NoticeForm, WithdrawForm
from .models import NoticeAttachment, NoticeStatus
from .permissions import ISSUER_ROLES, issuing_area, may_manage
from .workflow import FLOW, Step

PAGE_SIZE = 20
TABS = [
    ("", _("全部")),
    ("signed", _("已签收")),
    ("unsigned", _("未签收")),
    ("read", _("已读未签收")),
    ("unread", _("未读")),
]


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- the issuer's side ---------------------------------------------------------------------------


@require_roles(ISSUER_ROLES)
@require_GET
@replica_view
def notice_list(request):
    q = request.GET.get("q", "").strip()[:50]
    page = keyset_page(
        selectors.issuer_notices(request.user, q=q),
        selectors.ISSUER_ORDERING,
        per_page=PAGE_SIZE,
        **page_params(request),
    )
    context = {"page": page, "q": q, "querystring": querystring_without_page(request), "active_nav": "notices"}
    return render(request, "notices/list.html", context)


@require_roles(ISSUER_ROLES)
def notice_new(request):
    issuer = issuing_area(request.user)
    if issuer is None:
        raise Http404
    form = NoticeForm(request.POST or None, request.FILES or None, issuer=issuer)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            notice = services.notice_create(
                actor=request.user,
                title=data["title"],
                body=data["body"],
                audience=data["audience"],
                audience_area=data["audience_area"],
                is_public=data["is_public"],
                receipt_deadline=data["receipt_deadline"],
                attachments=data["attachments"],
                carries_task=data["carries_task"],
                task=data["task"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("草稿已保存，请确认接收范围后发布。"))
            return redirect("notices:publish", notice.public_id)
    return render(request, "notices/new.html", {"form": form, "issuer": issuer, "active_nav": "notices"})


@require_roles(ISSUER_ROLES)
@require_GET
def notice_detail(request, public_id):
    notice = selectors.notice_for_issuer(request.user, public_id)
    show = request.GET.get("show", "")
    show = show if show in selectors.RECEIPT_FILTERS else ""
    q = request.GET.get("q", "").strip()[:50]
    counts = selectors.receipt_counts(notice)
    page = keyset_page(
        selectors.receipts(notice, show=show, q=q),
        selectors.RECEIPT_ORDERING,
        per_page=PAGE_SIZE,
        count=None if q else counts[show],
        **page_params(request),
    )
    context = {
        "notice": notice,
        "page": page,
        "show": show,
        "q": q,
        "tabs": [(key, label, counts[key]) for key, label in TABS],
        "querystring": querystring_without_page(request),
        "steps": FLOW.allowed_steps(notice.status, {"issuer"}),
        "attachments": list(notice.attachments.all()),
        "active_nav": "notices",
    }
    return render(request, "notices/detail.html", context)


@require_roles(ISSUER_ROLES)
@require_GET
def notice_progress(request, public_id):
    """The fan-out's progress, polled by the notice page (htmx) while it runs."""
    notice = selectors.notice_for_issuer(request.user, public_id)
    return render(request, "notices/_progress.html", {"notice": notice})


@require_roles(ISSUER_ROLES)
def notice_publish(request, public_id):
    notice = selectors.notice_for_issuer(request.user, public_id)
    if request.method == "POST":
        try:
            services.notice_publish(actor=request.user, notice=notice)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, str(FLOW.steps[Step.PUBLISH].done_message))
        return redirect(notice.get_absolute_url())
    if notice.status != NoticeStatus.DRAFT:
        return redirect(notice.get_absolute_url())
    from .audience import count

    context = {
        "notice": notice,
        "recipients": count(notice.audience, notice.audience_area),
        "question": FLOW.steps[Step.PUBLISH].question,
        "attachments": list(notice.attachments.all()),
        "active_nav": "notices",
    }
    return render(request, "notices/publish.html", context)


@require_roles(ISSUER_ROLES)
def notice_withdraw(request, public_id):
    notice = selectors.notice_for_issuer(request.user, public_id)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.notice_withdraw(actor=request.user, notice=notice, note=form.cleaned_data["note"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, str(FLOW.steps[Step.WITHDRAW].done_message))
        return redirect(notice.get_absolute_url())
    context = {"notice": notice, "form": form, "question": FLOW.steps[Step.WITHDRAW].question, "active_nav": "notices"}
    return render(request, "notices/withdraw.html", context)


@require_roles(ISSUER_ROLES)
@require_POST
def notice_remind(request, public_id):
    notice = selectors.notice_for_issuer(request.user, public_id)
    try:
        n = services.notice_remind(actor=request.user, notice=notice)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已提醒 %(n)s 位未签收的接收人。") % {"n": n})
    return redirect(notice.get_absolute_url())


@require_roles(ISSUER_ROLES)
@require_GET
@replica_view
def notice_export(request, public_id):
    notice = selectors.notice_for_issuer(request.user, public_id)
    return unsigned_export_response(request=request, notice=notice)


# --- the recipient's side --------------------------------------------------------------------------


@login_required
@require_GET
def mine(request):
    page = keyset_page(
        selectors.my_receipts(request.user), selectors.MINE_ORDERING, per_page=PAGE_SIZE, **page_params(request)
    )
    return render(request, "notices/mine.html", {"page": page, "active_nav": "notice_mine"})


@login_required
@require_GET
def read(request, public_id):
    receipt = selectors.receipt_for_recipient(request.user, public_id)
    if receipt.notice.status == NoticeStatus.PUBLISHED:
        receipt = services.receipt_read(actor=request.user, notice=receipt.notice)
    context = {
        "receipt": receipt,
        "notice": receipt.notice,
        "attachments": list(receipt.notice.attachments.all()),
        "active_nav": "notice_mine",
    }
    return render(request, "notices/read.html", context)


@login_required
@require_POST
@idempotent
def sign(request, public_id):
    receipt = selectors.receipt_for_recipient(request.user, public_id)
    try:
        signed = services.receipt_sign(actor=request.user, notice=receipt.notice)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已签收。") if signed else _("您已签收过该通知。"))
    return redirect("notices:read", public_id)


# --- public notices and attachments -------------------------------------------------------------------


@require_GET
def public_detail(request, public_id):
    notice = selectors.public_notice(public_id)
    context = {"notice": notice, "attachments": list(notice.attachments.all()), "public": True}
    return render(request, "notices/public_detail.html", context)


@require_GET
def attachment(request, public_id, file_id):
    """An attachment, to whoever may read its notice: the public for a public notice, its recipients,
    its issuer's desk."""
    try:
        item = NoticeAttachment.objects.select_related("notice").get(public_id=file_id, notice__public_id=public_id)
    except (NoticeAttachment.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    notice = item.notice
    public = notice.is_public and notice.status == NoticeStatus.PUBLISHED
    user = request.user
    recipient = (
        user.is_authenticated
        and notice.status != NoticeStatus.DRAFT
        and notice.receipts.filter(user_id=user.pk).exists()
    )
    if not (public or recipient or may_manage(user, notice)):
        raise Http404
    response = photo_response(item.file)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(item.name)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)
