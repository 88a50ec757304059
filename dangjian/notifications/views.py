"""The message centre's pages: the inbox, opening a message, 全部标为已读, the settings, and the
district's delivery log. Thin: the selectors scope, the services write."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from dangjian.core.keyset import keyset_page, page_params

from . import selectors, services
from .forms import PreferenceForm
from .kinds import kinds, label_of
from .models import OUTSIDE_CHANNELS, Channel, DeliveryStatus

PAGE_SIZE = 20


@login_required
def inbox(request):
    unread = request.GET.get("unread") == "1"
    known = kinds()
    kind = request.GET.get("kind") or ""
    kind = kind if kind in known else ""
    page = keyset_page(
        selectors.inbox(request.user, unread=unread, kind=kind),
        selectors.INBOX_ORDER,
        **page_params(request),
        per_page=PAGE_SIZE,
    )
    for message in page.object_list:
        message.kind_label = label_of(message.event)
    query = urlencode([(k, v) for k, v in (("unread", "1" if unread else ""), ("kind", kind)) if v])
    context = {
        "page": page,
        "unread": unread,
        "kind": kind,
        "kinds": known,
        "querystring": f"{query}&" if query else "",
        "may_read_log": selectors.may_read_log(request.user),
        "active_nav": "messages",
    }
    return render(request, "notifications/inbox.html", context)


@never_cache
def bell(request):
    """The header's unread count (and the menu's, out of band), fetched by htmx after each page. Signed
    out meanwhile: 204, nothing swapped (a redirect would put the sign-in page inside the bell)."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    return render(request, "notifications/_bell.html", {"count": selectors.unread_count(request.user)})


@login_required
def open_message(request, public_id):
    """Opening a message marks it read and follows its link (to the object's own page)."""
    message = selectors.message_for(request.user, public_id)
    services.mark_read(user=request.user, message=message)
    if message.url and url_has_allowed_host_and_scheme(message.url, allowed_hosts={request.get_host()}):
        return redirect(message.url)
    message.kind_label = label_of(message.event)
    return render(request, "notifications/message.html", {"message": message, "active_nav": "messages"})


@login_required
@require_POST
def read_all(request):
    kind = request.POST.get("kind") or ""
    count = services.mark_all_read(user=request.user, kind=kind if kind in kinds() else "")
    flash.success(request, _("已将 %(n)s 条消息标为已读。") % {"n": count} if count else _("没有未读消息。"))
    return redirect("notifications:inbox")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    pref = services.preference_of(request.user)
    form = PreferenceForm(request.POST or None, initial=PreferenceForm.initial_for(pref))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.preference_save(
                user=request.user,
                muted=form.muted(pref.muted),
                sms=data["sms"],
                wechat=data["wechat"],
                quiet_start=data["quiet_start"],
                quiet_end=data["quiet_end"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            flash.success(request, _("消息设置已保存。"))
            return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form, "active_nav": "messages"})


@login_required
def deliveries(request):
    status = request.GET.get("status") or ""
    status = status if status in DeliveryStatus.values else ""
    channel = request.GET.get("channel") or ""
    channel = channel if channel in OUTSIDE_CHANNELS else ""
    rows = selectors.delivery_log(request.user, status=status, channel=channel)
    page = keyset_page(rows, selectors.LOG_ORDER, **page_params(request), per_page=PAGE_SIZE)
    selectors.attach_messages(page.object_list)
    query = urlencode([(k, v) for k, v in (("status", status), ("channel", channel)) if v])
    context = {
        "page": page,
        "status": status,
        "channel": channel,
        "statuses": DeliveryStatus.choices,
        "channels": [(c, Channel(c).label) for c in OUTSIDE_CHANNELS],
        "querystring": f"{query}&" if query else "",
        "active_nav": "messages",
    }
    return render(request, "notifications/deliveries.html", context)
