"""Pages of volunteering. Thin: parse, call a service or selector, render."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.centers.models import SignUp, SignUpStatus
from dangjian.centers.permissions import MANAGE_ROLES
from dangjian.centers.services import activities as center_services
from dangjian.core.idempotency import idempotent
from dangjian.core.keyset import keyset_page, page_params
from dangjian.core.qrtokens import seconds_to_next
from dangjian.core.views import querystring_without_page, require_roles
from dangjian.territory.models import Area, Level
from dangjian.territory.selectors import filter_area_options

from . import attendance as attendance_services
from . import selectors, services
from .filters import TeamFilterForm, team_q
from .forms import CorrectionForm, MemberAddForm, PostForm, ShiftForm, TeamActivityForm, TeamForm
from .models import ServicePost, Shift, ShiftSignUp, ShiftSignUpStatus
from .permissions import VOLUNTEERING_ROLES, is_manager, manages

PAGE_SIZE = 20
NAV = "volunteering"


def _errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _managed_communities(user):
    return Area.objects.visible_to(user).filter(level=Level.COMMUNITY).order_by("path")


@require_roles(VOLUNTEERING_ROLES)
def home(request):
    user = request.user
    community = services.home_community(user)
    if community is not None:
        services.fixed_teams_ensure(community)  # the five fixed groups always exist where one looks
    q = request.GET.get("q", "").strip()
    teams = Paginator(selectors.teams_for(user, q=q), PAGE_SIZE).get_page(request.GET.get("page"))
    manager = is_manager(user)
    context = {
        "page": teams,
        "q": q,
        "querystring": querystring_without_page(request),
        "activities": selectors.upcoming_activities(user, limit=10),
        "shifts": selectors.upcoming_shifts(user, limit=10),
        "posts": list(selectors.posts_for(user, q=q)[:PAGE_SIZE]),
        "manager": manager,
        "active_nav": NAV,
    }
    return render(request, "volunteering/home.html", context)


# --- teams ---------------------------------------------------------------------------------------


def _list_page(request, rows, *, tab: str):
    """The team list or the membership list of the territory, filtered by place (and kind of team)."""
    form = TeamFilterForm(request.GET or None, user=request.user)
    filters = form.list_filters()
    if filters:
        rows = rows.filter(team_q(**filters, prefix="team__" if tab == "members" else ""))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page.count = page.paginator.count  # the list's exact count, as the cockpit's links read it
    return render(
        request,
        "volunteering/team_list.html",
        {
            "page": page,
            "tab": tab,
            "form": form,
            "filtered": bool(filters),
            "area_options": filter_area_options(
                request.user, form.fields["area"].queryset, getattr(form, "cleaned_data", {}).get("area")
            ),
            "querystring": querystring_without_page(request),
            "active_nav": NAV,
        },
    )


@require_roles(MANAGE_ROLES)
def team_list(request):
    return _list_page(request, selectors.team_list(request.user), tab="teams")


@require_roles(MANAGE_ROLES)
def member_list(request):
    return _list_page(request, selectors.membership_list(request.user), tab="members")


def _create_in_community(request, form_class, create, *, done, page):
    """The new-team and new-post pages: pick one of the communities the worker manages, fill the
    form, create through `create(community, cleaned_data)` and go to the new thing's page."""
    communities = list(_managed_communities(request.user)[:500])
    form = form_class(request.POST or None)
    chosen = request.POST.get("community") or (str(communities[0].public_id) if communities else "")
    if request.method == "POST" and form.is_valid():
        community = next((c for c in communities if str(c.public_id) == chosen), None)
        if community is None:
            form.add_error(None, _("请选择社区。"))
        else:
            try:
                created = create(community, form.cleaned_data)
            except ValidationError as exc:
                _errors(form, exc)
            else:
                messages.success(request, done[0])
                return redirect(done[1], public_id=created.public_id)
    context = {"form": form, "communities": communities, "chosen": chosen, "active_nav": NAV, **page}
    return render(request, "volunteering/create_form.html", context)


@require_roles(MANAGE_ROLES)
@idempotent
def team_create(request):
    def create(community, data):
        return services.team_create(
            actor=request.user, community=community, name=data["name"], description=data["description"]
        )

    page = {
        "title": _("新建服务队"),
        "hint": _("安全、健康、文体、司法、警务五支固定服务队由系统为每个社区建立，这里建立自建服务队。"),
        "submit": _("建立"),
    }
    return _create_in_community(
        request, TeamForm, create, done=(_("服务队已建立。"), "volunteering:team_detail"), page=page
    )


@require_roles(VOLUNTEERING_ROLES)
def team_detail(request, public_id):
    team = selectors.team_for(request.user, public_id)
    members = keyset_page(
        selectors.team_members(team),
        selectors.TEAM_MEMBER_ORDER,
        **page_params(request),
        per_page=PAGE_SIZE,
    )
    context = {
        "team": team,
        "page": members,
        "querystring": querystring_without_page(request),
        "is_member": selectors.is_team_member(team, request.user),
        "manager": manages(request.user, team.area),
        "upcoming": selectors.upcoming_activities(request.user, team=team),
        "past": selectors.past_activities(request.user, team=team),
        "add_form": MemberAddForm(),
        "active_nav": NAV,
    }
    return render(request, "volunteering/team_detail.html", context)


def _team_membership(request, public_id, change, done):
    team = selectors.team_for(request.user, public_id)
    try:
        change(actor=request.user, team=team)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done % {"t": team.name})
    return redirect("volunteering:team_detail", public_id=team.public_id)


@require_roles(VOLUNTEERING_ROLES)
@require_POST
def team_join(request, public_id):
    return _team_membership(request, public_id, services.team_join, _("已加入「%(t)s」。"))


@require_roles(VOLUNTEERING_ROLES)
@require_POST
def team_leave(request, public_id):
    return _team_membership(request, public_id, services.team_leave, _("已退出「%(t)s」。"))


@require_roles(MANAGE_ROLES)
@require_POST
def team_member_add(request, public_id):
    team = selectors.team_for(request.user, public_id)
    form = MemberAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    else:
        person = selectors.addable_user(team, form.cleaned_data["mobile"])
        if person is None:
            messages.error(request, _("本社区没有使用该手机号的党员或居民账号。"))
        else:
            try:
                services.team_join(actor=request.user, team=team, user=person)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("已将 %(u)s 加入服务队。") % {"u": person})
    return redirect("volunteering:team_detail", public_id=team.public_id)


@require_roles(MANAGE_ROLES)
@require_POST
def team_member_remove(request, public_id, user_id):
    team = selectors.team_for(request.user, public_id)
    membership = selectors.team_members(team).filter(user__public_id=user_id).first()
    if membership is None:
        raise Http404
    try:
        services.team_leave(actor=request.user, team=team, user=membership.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已将 %(u)s 移出服务队。") % {"u": membership.user})
    return redirect("volunteering:team_detail", public_id=team.public_id)


@require_roles(MANAGE_ROLES)
@idempotent
def activity_create(request, public_id):
    team = selectors.team_for(request.user, public_id)
    if not manages(request.user, team.area):
        raise Http404
    form = TeamActivityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            link = services.team_activity_create(
                actor=request.user,
                team=team,
                title=data["title"],
                start=data["start_at"],
                end=data["end_at"],
                place=data["place"],
                capacity=data["capacity"],
                description=data["description"],
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("活动已发布，队员和居民可以报名。"))
            return redirect("volunteering:attendance", public_id=link.activity.public_id)
    return render(request, "volunteering/activity_form.html", {"team": team, "form": form, "active_nav": NAV})


# --- the worker's attendance page with the rotating QR code -------------------------------------


def _qr_context(request, *, kind: str, public_id, area: Area) -> dict:
    rules = services.settings_for(area)
    token = attendance_services.CHECKIN.make(kind=kind, public_id=public_id, rotate_minutes=rules.rotate_minutes)
    url = request.build_absolute_uri(reverse("volunteering:scan", args=[token]))
    return {
        "scan_url": url,
        # A viewBox instead of a fixed size, so the code scales to the screen without clipping.
        "qr": mark_safe(segno.make(url, error="m").svg_inline(omitsize=True, dark="#1f2328", title=url)),  # noqa: S308
        "rotate_minutes": rules.rotate_minutes,
        "refresh_seconds": min(60, seconds_to_next(None, rules.rotate_minutes)),
        "qr_url": reverse(
            "volunteering:activity_qr" if kind == "activity" else "volunteering:post_qr", args=[public_id]
        ),
    }


@require_roles(MANAGE_ROLES)
def attendance(request, public_id):
    link = selectors.team_activity_for(request.user, public_id)
    activity = link.activity
    rows = selectors.activity_roster(link)
    verified = [r for r in rows if r.attendance and r.attendance.verified]
    context = {
        "link": link,
        "activity": activity,
        "rows": rows,
        "verified_count": len(verified),
        "verified_hours": sum((r.attendance.hours for r in verified), services.ZERO),
        "active_nav": NAV,
        **_qr_context(request, kind="activity", public_id=activity.public_id, area=link.team.area),
    }
    return render(request, "volunteering/attendance.html", context)


@require_roles(MANAGE_ROLES)
def activity_qr(request, public_id):
    link = selectors.team_activity_for(request.user, public_id)
    context = _qr_context(request, kind="activity", public_id=link.activity.public_id, area=link.team.area)
    return render(request, "volunteering/_qr.html", context)


def _correction_source(request, kind: str, public_id):
    """The sign-up to correct, within the worker's territory (404 otherwise)."""
    if kind == "a":
        signup = SignUp.objects.select_related("activity", "user").get_for_user(request.user, public_id)
        link = selectors.team_activity_for(request.user, signup.activity.public_id)
        return signup, link.activity.title, reverse("volunteering:attendance", args=[signup.activity.public_id])
    if kind == "s":
        signup = ShiftSignUp.objects.select_related("shift__post", "user").get_for_user(request.user, public_id)
        return signup, str(signup.shift), reverse("volunteering:post_detail", args=[signup.shift.post.public_id])
    raise Http404


@require_roles(MANAGE_ROLES)
def correct(request, kind, public_id):
    source, title, back = _correction_source(request, kind, public_id)
    current = selectors.attendance_of(source)
    initial = {}
    if current is not None and current.checked_in_at:
        initial["checked_in_at"] = timezone.localtime(current.checked_in_at)
    if current is not None and current.checked_out_at:
        initial["checked_out_at"] = timezone.localtime(current.checked_out_at)
    form = CorrectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            attendance_services.attendance_correct(
                actor=request.user,
                source=source,
                note=data["note"],
                checked_in_at=data["checked_in_at"],
                checked_out_at=data["checked_out_at"],
                absent=data["absent"],
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("已更正 %(u)s 的签到记录。") % {"u": source.user})
            return redirect(back)
    context = {
        "source": source,
        "title": title,
        "current": current,
        "form": form,
        "back": back,
        "active_nav": NAV,
    }
    return render(request, "volunteering/correct.html", context)


# --- the volunteer's scan ------------------------------------------------------------------------


@login_required
@idempotent
def scan(request, token):
    """The page a scanned code opens on the volunteer's phone: what it is, and one button to check in/out."""
    now = timezone.now()
    context: dict = {"token": token, "active_nav": NAV}
    try:
        target = attendance_services.resolve(
            user=request.user, scanned=attendance_services.CHECKIN.read(token), now=now
        )
    except ValidationError as exc:
        context["error"] = " ".join(exc.messages)
        return render(request, "volunteering/scan.html", context, status=400)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "signup" and target.activity is not None:
            try:
                center_services.signup_create(actor=request.user, activity=target.activity)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("报名成功，请在活动开始后扫码签到。"))
            return redirect("volunteering:scan", token=token)
        try:
            result = attendance_services.scan(actor=request.user, token=token, expected=action, now=now)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            (messages.success if result.step != "nothing" else messages.info)(request, result.message)
        return redirect("volunteering:scan", token=token)
    context.update(
        {
            "target": target,
            "step": attendance_services.next_step(target),
            "waitlisted": target.signup is not None and target.signup.status == SignUpStatus.WAITLISTED,
        }
    )
    return render(request, "volunteering/scan.html", context)


@require_roles(VOLUNTEERING_ROLES)
def mine(request):
    data = selectors.mine(request.user)
    return render(request, "volunteering/mine.html", {"mine": data, "active_nav": NAV})


# --- service posts and shifts --------------------------------------------------------------------


@require_roles(MANAGE_ROLES)
@idempotent
def post_create(request):
    def create(community, data):
        return services.post_create(actor=request.user, community=community, **data)

    page = {
        "title": _("设立服务岗"),
        "hint": _("党员志愿服务岗按班次值守，党员在手机上报名班次，到岗扫码签到、签退。"),
        "submit": _("设立"),
    }
    done = (_("服务岗已设立，请添加值守班次。"), "volunteering:post_detail")
    return _create_in_community(request, PostForm, create, done=done, page=page)


@require_roles(VOLUNTEERING_ROLES)
@idempotent
def post_detail(request, public_id):
    post = selectors.post_for(request.user, public_id)
    manager = manages(request.user, post.area)
    form = ShiftForm(request.POST or None, initial={"date": timezone.localdate(), "capacity": 1})
    if request.method == "POST":
        if not manager:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.shift_create(
                    actor=request.user, post=post, start=data["start_at"], end=data["end_at"], capacity=data["capacity"]
                )
            except ValidationError as exc:
                _errors(form, exc)
            else:
                messages.success(request, _("已添加班次。"))
                return redirect("volunteering:post_detail", public_id=post.public_id)
    context = {
        "post": post,
        "manager": manager,
        "shifts": selectors.post_shifts(post, user=request.user),
        "past_shifts": selectors.post_shifts(post, user=request.user, upcoming=False) if manager else [],
        "form": form,
        "active_nav": NAV,
    }
    if manager:
        context.update(_qr_context(request, kind="post", public_id=post.public_id, area=post.area))
    return render(request, "volunteering/post_detail.html", context)


@require_roles(MANAGE_ROLES)
def post_qr(request, public_id):
    post = ServicePost.objects.select_related("area").get_for_user(request.user, public_id)
    if not manages(request.user, post.area):
        raise Http404
    return render(
        request, "volunteering/_qr.html", _qr_context(request, kind="post", public_id=post.public_id, area=post.area)
    )


@require_roles(VOLUNTEERING_ROLES)
@require_POST
@idempotent
def shift_signup(request, public_id):
    shift = Shift.objects.select_related("post").get_for_user(request.user, public_id)
    try:
        services.shift_signup_create(actor=request.user, shift=shift)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("已报名 %(s)s 的班次，到岗后请扫描服务岗的二维码签到。")
            % {"s": timezone.localtime(shift.start).strftime("%m-%d %H:%M")},
        )
    return redirect("volunteering:post_detail", public_id=shift.post.public_id)


@login_required
@require_POST
def shift_signup_cancel(request, public_id):
    try:
        signup = ShiftSignUp.objects.select_related("shift__post").get(
            public_id=public_id, user=request.user, status=ShiftSignUpStatus.CONFIRMED
        )
    except (ShiftSignUp.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404 from exc
    try:
        services.shift_signup_cancel(actor=request.user, signup=signup)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已取消班次报名。"))
    return redirect("volunteering:post_detail", public_id=signup.shift.post.public_id)
