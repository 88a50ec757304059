"""Pages of the meeting engine: the secretary's meeting page (phone first) and the attendee's page.
Thin: parse, call a service or selector, render."""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.accounts.roles import MANAGER_ROLES
from dangjian.core.idempotency import idempotent
from dangjian.core.keyset import keyset_page, page_params
from dangjian.core.views import querystring_without_page, require_roles

from . import counting, selectors, services
from .models import Choice, MeetingStatus
from .permissions import runs
from .workflow import FLOW, Party

PAGE_SIZE = 20


def _flash(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _int(value: Any, field: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError(_("%(f)s须为整数。") % {"f": field}) from None
    return number


@require_roles(MANAGER_ROLES)
def meeting_list(request):
    page = keyset_page(
        selectors.meetings_visible(request.user).select_related("area"),
        selectors.MEETING_ORDER,
        **page_params(request),
        per_page=PAGE_SIZE,
    )
    return render(
        request,
        "meetings/list.html",
        {"page": page, "querystring": querystring_without_page(request), "active_nav": "deliberation"},
    )


def _scan_url(request, meeting) -> str:
    return request.build_absolute_uri(reverse("meetings:scan") + "?t=" + services.signin_token(meeting))


def _qr(url: str) -> str:
    return mark_safe(segno.make(url, error="m").svg_inline(omitsize=True, dark="#1f2328", title=url))  # noqa: S308


def meeting_context(request, meeting) -> dict[str, Any]:
    counted = counting.tally(meeting)
    return {
        "meeting": meeting,
        "tally": counted,
        "quorum_text": counting.quorum_text(meeting, counted),
        "results": counting.results(meeting, counted),
        "roster": selectors.roster(meeting),
        "steps": [
            (s, FLOW.step_label(s), FLOW.steps[s].question)
            for s in FLOW.allowed_steps(meeting.status, {Party.SECRETARY})
        ],
        "scan_url": (scan := _scan_url(request, meeting)),
        "qr": _qr(scan) if meeting.status in (MeetingStatus.PLANNED, MeetingStatus.OPEN) else "",
        "frozen": meeting.status == MeetingStatus.FROZEN,
        "is_open": meeting.status == MeetingStatus.OPEN,
        "comments": list(meeting.comments.select_related("attendee")),
        "active_nav": "deliberation",
    }


@login_required
def meeting_detail(request, public_id):
    meeting = selectors.meeting_get(request.user, public_id)
    if not runs(request.user, meeting):
        return redirect("meetings:attend", public_id=meeting.public_id)
    return render(request, "meetings/detail.html", meeting_context(request, meeting))


@login_required
def meeting_quorum(request, public_id):
    """The live quorum line (htmx polls it while the meeting signs in)."""
    meeting = selectors.meeting_get(request.user, public_id)
    counted = counting.tally(meeting)
    return render(
        request,
        "meetings/_quorum.html",
        {"meeting": meeting, "tally": counted, "quorum_text": counting.quorum_text(meeting, counted)},
    )


@require_POST
@login_required
def meeting_act(request, public_id, action):
    """The secretary's writes, one service each."""
    meeting = selectors.meeting_get(request.user, public_id)
    post = request.POST
    try:
        if action == "step":
            step = post.get("step", "")
            if step not in FLOW.steps:
                raise Http404
            version = _int(post.get("version"), _("版本")) if post.get("version") else None
            services.meeting_step(actor=request.user, meeting=meeting, step=step, version=version)
            messages.success(
                request,
                str(FLOW.steps[step].done_message) % {"obj": FLOW.describe(meeting), "step": FLOW.step_label(step)},
            )
        elif action == "sign_in":
            attendee = selectors.attendee_get(meeting, post.get("attendee"))
            services.sign_in(actor=request.user, meeting=meeting, attendee=attendee)
            messages.success(request, _("已为「%(n)s」签到。") % {"n": attendee.name})
        elif action == "absent":
            attendee = selectors.attendee_get(meeting, post.get("attendee"))
            services.mark_absent(actor=request.user, attendee=attendee, reason=post.get("reason", ""))
            messages.success(request, _("已记录「%(n)s」缺席原因。") % {"n": attendee.name})
        elif action == "add":
            services.attendee_add(
                actor=request.user, meeting=meeting, name=post.get("name", ""), due=post.get("due") == "1"
            )
            messages.success(request, _("已加入参会名单。"))
        elif action == "hands":
            item = selectors.item_get(meeting, post.get("item"))
            services.hands_record(
                actor=request.user,
                item=item,
                votes_for=_int(post.get("for"), _("同意票数")),
                against=_int(post.get("against"), _("反对票数")),
                abstain=_int(post.get("abstain"), _("弃权票数")),
            )
            messages.success(request, _("已记录议题「%(i)s」的举手表决结果。") % {"i": item.title})
        elif action == "notes":
            item = selectors.item_get(meeting, post.get("item"))
            services.item_notes_save(actor=request.user, item=item, notes=post.get("notes", ""))
            messages.success(request, _("已保存讨论记录。"))
        elif action == "minutes":
            services.minutes_save(
                actor=request.user,
                meeting=meeting,
                text=post.get("minutes", ""),
                file=request.FILES.get("minutes_file"),
            )
            messages.success(request, _("已保存会议纪要。"))
        else:
            raise Http404
    except ValidationError as exc:
        _flash(request, exc)
    return redirect(request.POST.get("next") or reverse("meetings:detail", args=[meeting.public_id]))


def scan(request):
    """Where the QR code leads: sign in first, then the attendee's page with the token kept."""
    token = request.GET.get("t", "")
    try:
        public_id = services.signin_token_read(token)
    except ValidationError as exc:
        return render(request, "meetings/scan_error.html", {"error": exc.messages[0]}, status=400)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return redirect(reverse("meetings:attend", args=[public_id]) + "?t=" + token)


@login_required
@idempotent
def attend(request, public_id):
    """An attendee's page: sign in by the scanned code, vote on each item, comment on the minutes."""
    meeting, attendee = selectors.attend_get(request.user, public_id)
    token = request.POST.get("t") or request.GET.get("t", "")
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "sign_in":
                if services.signin_token_read(token) != str(meeting.public_id):
                    raise ValidationError(_("签到二维码无效，请扫描会场屏幕上的二维码。"))
                services.sign_in(actor=request.user, meeting=meeting)
                messages.success(request, _("签到成功。"))
            elif action == "vote":
                item = selectors.item_get(meeting, request.POST.get("item"))
                services.vote_cast(actor=request.user, item=item, choice=request.POST.get("choice", ""))
                messages.success(
                    request,
                    _("已就「%(i)s」投票：%(c)s。") % {"i": item.title, "c": Choice(request.POST["choice"]).label},
                )
            elif action == "comment":
                services.minutes_comment(actor=request.user, meeting=meeting, text=request.POST.get("text", ""))
                messages.success(request, _("已提交对纪要的意见。"))
            else:
                raise Http404
        except ValidationError as exc:
            _flash(request, exc)
        return redirect(reverse("meetings:attend", args=[meeting.public_id]) + (f"?t={token}" if token else ""))
    counted = counting.tally(meeting)
    voted = dict(attendee.votes.values_list("item_id", "choice"))
    items = [(r, voted.get(r.item.pk)) for r in counting.results(meeting, counted)]
    return render(
        request,
        "meetings/attend.html",
        {
            "meeting": meeting,
            "attendee": attendee,
            "token": token,
            "items": items,
            "tally": counted,
            "quorum_text": counting.quorum_text(meeting, counted),
            "choices": Choice.choices,
            "is_open": meeting.status == MeetingStatus.OPEN,
            "can_comment": meeting.status == MeetingStatus.CLOSED and meeting.comment_until is not None,
            "comments": list(meeting.comments.select_related("attendee")),
        },
    )
