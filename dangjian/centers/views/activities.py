"""Pages of activities and their sign-ups."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core.idempotency import idempotent
from dangjian.core.keyset import keyset_page, page_params
from dangjian.core.scoping import scope_for
from dangjian.core.views import querystring_without_page, require_roles

from .. import selectors
from ..forms import ActivityForm
from ..models import Activity, ActivityKind, ServiceCenter, SignUp, SignUpStatus
from ..permissions import MANAGE_ROLES, role_allows
from ..services import activities
from .common import PAGE_SIZE, form_errors, nav_for

# -- activities ---------------------------------------------------------------------------------


@login_required
def activity_list(request):
    kind = request.GET.get("kind", "")
    qs = selectors.upcoming_activities(request.user, kind=kind if kind in ActivityKind.values else "")
    page = keyset_page(qs, selectors.ACTIVITY_ORDER, **page_params(request), per_page=PAGE_SIZE)
    selectors.activity_counts(page.object_list)
    context = {
        "page": page,
        "kind": kind,
        "kinds": ActivityKind.choices,
        "querystring": querystring_without_page(request),
        "active_nav": nav_for(request.user),
    }
    return render(request, "centers/activity_list.html", context)


@require_roles(MANAGE_ROLES)
@idempotent
def activity_create(request, public_id):
    center = ServiceCenter.objects.get_for_user(request.user, public_id)
    rooms = list(center.rooms.filter(is_active=True))
    form = ActivityForm(
        request.POST or None, rooms=rooms, initial={"date": timezone.localdate() + datetime.timedelta(days=7)}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        tz = timezone.get_current_timezone()
        start = datetime.datetime.combine(data["date"], datetime.time.fromisoformat(data["start"]), tzinfo=tz)
        end = datetime.datetime.combine(data["date"], datetime.time.fromisoformat(data["end"]), tzinfo=tz)
        room = next((r for r in rooms if str(r.public_id) == data["room"]), None)
        try:
            activity = activities.activity_create(
                actor=request.user,
                kind=data["kind"],
                title=data["title"],
                start=start,
                end=end,
                center=center,
                room=room,
                place=data["place"],
                capacity=data["capacity"],
                organizer_org=center.org,
                description=data["description"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("活动已发布。"))
            return redirect(activity.get_absolute_url())
    return render(request, "centers/activity_form.html", {"center": center, "form": form, "active_nav": "centers"})


@login_required
def activity_detail(request, public_id):
    activity = Activity.objects.select_related("center__area", "room", "area", "organizer_org").get_for_user(
        request.user, public_id
    )
    selectors.activity_counts([activity])
    manager = role_allows(request.user, MANAGE_ROLES) and (
        scope_for(request.user).everything or activity.area.path.startswith(scope_for(request.user).area_path or "-")
    )
    mine = SignUp.objects.filter(activity=activity, user=request.user).exclude(status=SignUpStatus.CANCELLED).first()
    roster = list(activity.signups.exclude(status=SignUpStatus.CANCELLED).select_related("user")) if manager else []
    context = {
        "activity": activity,
        "mine": mine,
        "manager": manager,
        "roster": roster,
        "open": activity.status == "published" and activity.start > timezone.now(),
        "active_nav": nav_for(request.user),
    }
    return render(request, "centers/activity_detail.html", context)


@login_required
@require_POST
@idempotent
def signup(request, public_id):
    activity = Activity.objects.get_for_user(request.user, public_id)
    try:
        made = activities.signup_create(actor=request.user, activity=activity)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if made.status == SignUpStatus.WAITLISTED:
            messages.warning(request, _("名额已满，您已进入候补名单；有人取消时将按顺序递补。"))
        else:
            messages.success(request, _("报名成功。"))
    return redirect(activity.get_absolute_url())


@login_required
@require_POST
def signup_cancel(request, public_id):
    try:
        mine = SignUp.objects.select_related("activity").get(public_id=public_id, user=request.user)
    except (SignUp.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404 from exc
    try:
        activities.signup_cancel(actor=request.user, signup=mine)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已取消报名。"))
    return redirect(mine.activity.get_absolute_url())


@require_roles(MANAGE_ROLES)
@require_POST
@idempotent
def check_in(request, public_id):
    signup_obj = SignUp.objects.select_related("activity").get_for_user(request.user, public_id)
    try:
        activities.signup_check_in(actor=request.user, signup=signup_obj)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(u)s 已签到。") % {"u": signup_obj.user})
    return redirect(signup_obj.activity.get_absolute_url())


@require_roles(MANAGE_ROLES)
@require_POST
def activity_cancel(request, public_id):
    activity = Activity.objects.get_for_user(request.user, public_id)
    try:
        activities.activity_cancel(actor=request.user, activity=activity)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("活动已取消。"))
    return redirect(activity.get_absolute_url())
