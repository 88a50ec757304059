"""Pages of dual registration: the worker's desk, the community's pages, the registrant's own page,
and the public self-service pages behind a community's QR code (no account needed)."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dangjian.accounts.roles import Role, active_assignment, active_role
from dangjian.audit.services import Action, audit_record
from dangjian.core.views import client_ip, querystring_without_page, require_roles
from dangjian.territory.models import Area, Level
from dangjian.territory.selectors import area_roots_for

from . import selectors, services, throttle
from .forms import (
    AccountMemberForm,
    AccountUnitForm,
    DocumentForm,
    LookupForm,
    MemberPublicForm,
    UnitPublicForm,
)
from .models import CommunityDocument, Registration, RegistrationKind, RegistrationStatus
from .services import Party, Step

WORKER_ROLES = frozenset({Role.COMMUNITY_WORKER, Role.SUBDISTRICT_ADMIN, Role.DISTRICT_ADMIN})
DECIDING_ROLES = frozenset({Role.COMMUNITY_WORKER})
LINK_ROLES = WORKER_ROLES  # each within their own territory
REGISTRANT_ROLES = frozenset({Role.PARTY_MEMBER, Role.UNIT_CONTACT})
PAGE_SIZE = 25
NAV = "registration"


def _can_decide(user) -> bool:
    return user.is_superuser or active_role(user) in DECIDING_ROLES


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return fallback


def _community(request, public_id) -> Area:
    return Area.objects.get_for_user(request.user, public_id, level=Level.COMMUNITY)


@login_required
def home(request):
    """The menu's one entry: workers land on the desk, members and unit contacts on their own page."""
    role = active_role(request.user)
    if role in WORKER_ROLES or role == "superuser":
        return redirect("registration:desk")
    if role in REGISTRANT_ROLES:
        return redirect("registration:mine")
    raise Http404


# --- the worker's desk ---------------------------------------------------------------------


def _desk_filters(request) -> tuple:
    community = None
    if request.GET.get("community"):
        community = _community(request, request.GET["community"])
    filters = {
        "status": request.GET.get("status", ""),
        "kind": request.GET.get("kind", ""),
        "flagged": request.GET.get("flagged") == "1",
        "query": request.GET.get("q", "").strip(),
    }
    return community, filters


@require_roles(WORKER_ROLES)
def desk(request):
    community, filters = _desk_filters(request)
    registrations = selectors.desk_registrations(request.user, community=community, **filters)
    page = Paginator(registrations.values_list("pk", flat=True), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.registrations_in_order(list(page.object_list))
    for reg in page.object_list:
        reg.out_of_home = selectors.is_out_of_home(reg)
    role = active_role(request.user)
    assignment = active_assignment(request.user)
    own_community = assignment.area if role == Role.COMMUNITY_WORKER and assignment else None
    communities = []
    if role != Role.COMMUNITY_WORKER:
        communities = list(
            Area.objects.visible_to(request.user)
            .filter(level=Level.COMMUNITY)
            .order_by("path")
            .only("public_id", "name")[:500]
        )
    context = {
        "page": page,
        "filters": filters,
        "community": community,
        "communities": communities,
        "own_community": own_community,
        "statuses": RegistrationStatus.choices,
        "kinds": RegistrationKind.choices,
        "can_decide": _can_decide(request.user),
        "pending": selectors.pending_count(request.user),
        "querystring": querystring_without_page(request),
        "here": request.get_full_path(),
        "active_nav": NAV,
    }
    return render(request, "registration/desk.html", context)


@require_roles(WORKER_ROLES)
def detail(request, public_id):
    reg = Registration.objects.select_related(
        "community", "member__home_community", "member__org", "org", "unit__community", "decided_by"
    ).get_for_user(request.user, public_id)
    reg.out_of_home = selectors.is_out_of_home(reg)
    can_decide = _can_decide(request.user)
    context = {
        "reg": reg,
        "log": list(reg.log.select_related("actor")),
        "steps": services.allowed_steps(reg, Party.COMMUNITY) if can_decide else [],
        "can_decide": can_decide,
        "here": request.get_full_path(),
        "active_nav": NAV,
    }
    return render(request, "registration/detail.html", context)


@require_roles(DECIDING_ROLES)
@require_POST
def decide(request, public_id, step):
    if step not in Step.values:
        raise Http404
    reg = Registration.objects.select_related("member", "org", "community").get_for_user(request.user, public_id)
    try:
        services.registration_step(
            actor=request.user, registration=reg, step=step, party=Party.COMMUNITY, note=request.POST.get("note", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        who = reg.member.name if reg.member_id else str(reg.org)
        done = {
            Step.CONFIRM: _("已确认「%(who)s」的报到。"),
            Step.REJECT: _("已驳回「%(who)s」的报到，报到人可看到驳回原因。"),
            Step.WITHDRAW: _("已撤回「%(who)s」的报到。"),
        }[Step(step)]
        messages.success(request, done % {"who": who})
    return redirect(_safe_next(request, reverse("registration:desk")))


@require_roles(WORKER_ROLES)
@require_POST
def reveal_mobile(request, public_id):
    reg = Registration.objects.select_related("community").get_for_user(request.user, public_id)
    audit_record(
        actor=request.user,
        action=Action.REVEAL,
        obj=reg,
        changes={"field": "contact_mobile"},
        ip=client_ip(request),
        area_path=reg.community.path,
    )
    return HttpResponse(reg.contact_mobile or _("未填写"))


# --- the registrant's own page -------------------------------------------------------------


@require_roles(REGISTRANT_ROLES)
def mine(request):
    role = active_role(request.user)
    assignment = active_assignment(request.user)
    context: dict = {"role": role, "active_nav": NAV}
    if role == Role.PARTY_MEMBER:
        member = selectors.member_for_user(request.user)
        context["member"] = member
        if member is None:
            return render(request, "registration/mine.html", context)
        state = selectors.registration_status_for_member(member)
        target = member.home_community or (assignment.home_community if assignment else None)
        skills = selectors.service_intentions_for(target)
        form = AccountMemberForm(request.POST or None, skills=skills, initial={"mobile": member.mobile})
        if request.method == "POST" and target is not None and form.is_valid():
            try:
                services.registration_submit_member(
                    actor=request.user,
                    member=member,
                    community=target,
                    contact_mobile=form.cleaned_data["mobile"],
                    skills=form.cleaned_data["skills"],
                    note=form.cleaned_data["note"],
                    via=_("账号报到"),
                    ip=client_ip(request),
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("已提交，等待社区确认。"))
                return redirect("registration:mine")
    else:
        unit = assignment.unit if assignment else None
        if unit is None:
            raise Http404
        context["unit"] = unit
        state = selectors.registration_status_for_unit(unit)
        target = unit.community
        skills = selectors.service_intentions_for(target)
        form = AccountUnitForm(request.POST or None, skills=skills, initial={"contact_name": request.user.full_name})
        if request.method == "POST" and form.is_valid():
            try:
                services.registration_submit_unit(
                    actor=request.user,
                    unit=unit,
                    community=target,
                    contact_name=form.cleaned_data["contact_name"],
                    contact_mobile=form.cleaned_data["contact_mobile"],
                    skills=form.cleaned_data["skills"],
                    note=form.cleaned_data["note"],
                    via=_("账号报到"),
                    ip=client_ip(request),
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("已提交，等待社区确认。"))
                return redirect("registration:mine")
    reg = state.registration
    context.update(
        state=state,
        target=target,
        form=form,
        log=list(reg.log.select_related("actor")) if reg else [],
        # A joint branch's registration filed through another unit is that unit's to withdraw.
        can_withdraw=bool(
            reg
            and services.allowed_steps(reg, Party.REGISTRANT)
            and (role == Role.PARTY_MEMBER or reg.unit_id == context["unit"].pk)
        ),
        documents=selectors.latest_documents(state.community) if state.registered and state.community else [],
    )
    return render(request, "registration/mine.html", context)


@require_roles(REGISTRANT_ROLES)
@require_POST
def mine_withdraw(request, public_id):
    reg = Registration.objects.get_for_user(request.user, public_id)
    try:
        services.registration_withdraw(
            actor=request.user, registration=reg, party=Party.REGISTRANT, note=request.POST.get("note", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已撤回报到。"))
    return redirect("registration:mine")


# --- a community's pages -------------------------------------------------------------------


def qr_svg(url: str, *, scale: int = 5) -> str:
    """The QR code of `url` as inline SVG (segno, pure Python)."""
    return segno.make(url, error="m").svg_inline(scale=scale, dark="#1f2328", title=url)


def public_url(request, token: str) -> str:
    return request.build_absolute_uri(reverse("registration:public_start", args=[token]))


@require_roles(WORKER_ROLES)
def community(request, public_id):
    area = _community(request, public_id)
    link = selectors.link_for(area)
    url = public_url(request, link.token) if link else ""
    summary = selectors.registration_summary(area)
    context = {
        "area": area,
        "link": link,
        "url": url,
        "qr": mark_safe(qr_svg(url)) if url else "",  # noqa: S308 - segno's own SVG markup
        "row": summary.rows[0] if summary.rows else None,
        "can_generate": request.user.is_superuser or active_role(request.user) in LINK_ROLES,
        "tab": "link",
        "active_nav": NAV,
    }
    return render(request, "registration/community.html", context)


@require_roles(LINK_ROLES)
@require_POST
def link_generate(request, public_id):
    area = _community(request, public_id)
    existed = selectors.link_for(area) is not None
    services.link_generate(actor=request.user, community=area)
    if existed:
        messages.success(request, _("已重新生成报到链接，旧的二维码和链接已失效，请更换张贴的二维码。"))
    else:
        messages.success(request, _("已生成报到链接和二维码。"))
    return redirect("registration:community", public_id=area.public_id)


@require_roles(WORKER_ROLES)
def link_qr(request, public_id):
    area = _community(request, public_id)
    link = selectors.link_for(area)
    if link is None:
        raise Http404
    svg = segno.make(public_url(request, link.token), error="m").svg_inline(scale=12, dark="#000")
    response = HttpResponse('<?xml version="1.0" encoding="utf-8"?>\n' + svg, content_type="image/svg+xml")
    response["Content-Disposition"] = f'attachment; filename="registration-{area.code or area.public_id}.svg"'
    return response


@require_roles(WORKER_ROLES)
def unregistered(request, public_id):
    area = _community(request, public_id)
    tab = "units" if request.GET.get("tab") == "units" else "members"
    query = request.GET.get("q", "").strip()
    members = selectors.unregistered_members(area)
    units = selectors.unregistered_units(area)
    if query:
        members = members.filter(name__icontains=query)
        units = units.filter(name__icontains=query)
    page = Paginator(members if tab == "members" else units, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "area": area,
        "tab": "unregistered",
        "list_tab": tab,
        "q": query,
        "page": page,
        "members_count": members.count() if tab == "units" else page.paginator.count,
        "units_count": units.count() if tab == "members" else page.paginator.count,
        "querystring": querystring_without_page(request),
        "active_nav": NAV,
    }
    return render(request, "registration/unregistered.html", context)


@require_roles(WORKER_ROLES)
def five_lists(request, public_id):
    area = _community(request, public_id)
    sections = selectors.community_five_lists(area)
    by_key = {s.key: s for s in sections}
    active = by_key.get(request.GET.get("list", ""), sections[0])
    page = Paginator(active.items, PAGE_SIZE).get_page(request.GET.get("page")) if active.available else None
    context = {
        "area": area,
        "tab": "lists",
        "sections": sections,
        "active": active,
        "page": page,
        "can_edit": request.user.is_superuser or active_role(request.user) in DECIDING_ROLES,
        "querystring": querystring_without_page(request),
        "active_nav": NAV,
    }
    return render(request, "registration/lists.html", context)


def _documents_url(area: Area) -> str:
    return reverse("registration:five_lists", args=[area.public_id]) + "?list=documents"


@require_roles(DECIDING_ROLES)
def document_create(request, public_id):
    area = _community(request, public_id)
    form = DocumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_create(actor=request.user, community=area, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("已发布文件。"))
            return redirect(_documents_url(area))
    return render(
        request, "registration/document_form.html", {"area": area, "form": form, "tab": "lists", "active_nav": NAV}
    )


@require_roles(DECIDING_ROLES)
def document_edit(request, public_id):
    document = CommunityDocument.objects.select_related("community").get_for_user(request.user, public_id)
    form = DocumentForm(request.POST or None, instance=document)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_update(actor=request.user, document=document, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("已保存文件。"))
            return redirect(_documents_url(document.community))
    context = {"area": document.community, "document": document, "form": form, "tab": "lists", "active_nav": NAV}
    return render(request, "registration/document_form.html", context)


@require_roles(DECIDING_ROLES)
def document_delete(request, public_id):
    document = CommunityDocument.objects.select_related("community").get_for_user(request.user, public_id)
    if request.method == "POST":
        services.document_delete(actor=request.user, document=document)
        messages.success(request, _("已删除文件「%(t)s」。") % {"t": document.title})
        return redirect(_documents_url(document.community))
    context = {"area": document.community, "document": document, "tab": "lists", "active_nav": NAV}
    return render(request, "registration/document_delete.html", context)


# --- the summary ---------------------------------------------------------------------------


def _summary_area(request) -> Area:
    if request.GET.get("area"):
        area = Area.objects.get_for_user(request.user, request.GET["area"])
        if area.level == Level.GRID:
            raise Http404
        return area
    roots = area_roots_for(request.user)
    if not roots:
        raise Http404
    return roots[0]


@require_roles(WORKER_ROLES)
def summary(request):
    area = _summary_area(request)
    result = selectors.registration_summary(area)
    subdistricts = []
    if area.level == Level.DISTRICT:
        subdistricts = list(Area.objects.filter(parent=area, level=Level.SUBDISTRICT).order_by("path"))
    context = {
        "area": area,
        "summary": result,
        "chart": result.chart(),
        "subdistricts": subdistricts,
        "breadcrumb": list(area.ancestors().visible_to(request.user)),
        "active_nav": NAV,
    }
    return render(request, "registration/summary.html", context)


# --- public self-service pages (no account) -------------------------------------------------


def _public(request, template: str, context: dict, status: int = 200):
    return render(request, "registration/public/page.html", {"page_template": template, **context}, status=status)


def _link(request, token: str):
    link = selectors.link_by_token(token)
    if link is None:
        return None, _public(request, "registration/public/gone.html", {}, status=404)
    return link, None


def _throttled(request, form) -> bool:
    wait = throttle.seconds_blocked(client_ip(request))
    if wait:
        form.add_error(None, _("提交过于频繁，请 %(m)s 分钟后再试。") % {"m": (wait + 59) // 60})
        return True
    return False


def _to_receipt(request, reg: Registration):
    messages.success(request, _("已提交，等待社区确认。"))
    return redirect("registration:receipt", signed=selectors.receipt_token(reg))


def public_start(request, token):
    link, gone = _link(request, token)
    if gone:
        return gone
    member = selectors.member_for_user(request.user) if active_role(request.user) == Role.PARTY_MEMBER else None
    return _public(
        request, "registration/public/start.html", {"link": link, "community": link.community, "member": member}
    )


def public_member(request, token):
    link, gone = _link(request, token)
    if gone:
        return gone
    community = link.community
    form = MemberPublicForm(request.POST or None, skills=selectors.service_intentions_for(community))
    if request.method == "POST" and form.is_valid() and not _throttled(request, form):
        ip = client_ip(request)
        try:
            reg = services.public_register_member(community=community, ip=ip, **form.cleaned_data)
        except services.NoMatch as exc:
            throttle.record_attempt(ip, matched=False)
            _add_errors(form, exc)
        except ValidationError as exc:
            throttle.record_attempt(ip, matched=True)
            _add_errors(form, exc)
        else:
            throttle.record_attempt(ip, matched=True)
            return _to_receipt(request, reg)
    return _public(request, "registration/public/member.html", {"link": link, "community": community, "form": form})


def public_unit(request, token):
    link, gone = _link(request, token)
    if gone:
        return gone
    community = link.community
    form = UnitPublicForm(request.POST or None, skills=selectors.service_intentions_for(community))
    if request.method == "POST" and form.is_valid() and not _throttled(request, form):
        ip = client_ip(request)
        data = form.cleaned_data
        try:
            reg = services.public_register_unit(
                community=community,
                credit_code=data["credit_code"],
                name=data["unit_name"],
                contact_name=data["contact_name"],
                contact_mobile=data["contact_mobile"],
                skills=data["skills"],
                note=data["note"],
                ip=ip,
            )
        except services.NoMatch as exc:
            throttle.record_attempt(ip, matched=False)
            _add_errors(form, exc)
        except ValidationError as exc:
            throttle.record_attempt(ip, matched=True)
            _add_errors(form, exc)
        else:
            throttle.record_attempt(ip, matched=True)
            return _to_receipt(request, reg)
    return _public(request, "registration/public/unit.html", {"link": link, "community": community, "form": form})


def public_lookup(request, token):
    """查询报到进度 with the same two details; one answer for 'no such person' and 'no registration'."""
    link, gone = _link(request, token)
    if gone:
        return gone
    form = LookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and not _throttled(request, form):
        ip, data = client_ip(request), form.cleaned_data
        state = None
        if data["kind"] == RegistrationKind.MEMBER:
            member = selectors.match_member(id_number=data["identifier"], name=data["name"])
            state = selectors.registration_status_for_member(member) if member else None
        else:
            unit = selectors.match_unit(credit_code=data["identifier"], name=data["name"])
            state = selectors.registration_status_for_unit(unit) if unit else None
        if state is None or state.registration is None:
            throttle.record_attempt(ip, matched=False)
            form.add_error(None, _("未找到报到记录，请核对填写的信息；如有疑问请联系社区。"))
        else:
            throttle.record_attempt(ip, matched=True)
            return redirect("registration:receipt", signed=selectors.receipt_token(state.registration))
    return _public(
        request, "registration/public/lookup.html", {"link": link, "community": link.community, "form": form}
    )


@require_POST
def public_account(request, token):
    """A signed-in member registers at this community straight from the link, without typing their ID."""
    link, gone = _link(request, token)
    if gone:
        return gone
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={reverse('registration:public_start', args=[token])}")
    member = selectors.member_for_user(request.user) if active_role(request.user) == Role.PARTY_MEMBER else None
    if member is None:
        raise Http404
    try:
        services.registration_submit_member(
            actor=request.user,
            member=member,
            community=link.community,
            contact_mobile=member.mobile,
            via=_("账号扫码报到"),
            ip=client_ip(request),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("registration:public_start", token=token)
    messages.success(request, _("已提交，等待社区确认。"))
    return redirect("registration:mine")


def receipt(request, signed):
    """The registrant's receipt: status, the community's answer, and withdrawing while it is open."""
    reg = selectors.registration_from_receipt(signed)
    if reg is None:
        return _public(request, "registration/public/gone.html", {"receipt": True}, status=404)
    if request.method == "POST":
        try:
            services.registration_withdraw(
                actor=None, registration=reg, party=Party.REGISTRANT, note=request.POST.get("note", "")
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已撤回报到。"))
        return redirect("registration:receipt", signed=signed)
    context = {
        "reg": reg,
        "state": selectors.RegistrationState(reg),
        "display_name": mask_name(reg.member.name) if reg.member_id else str(reg.unit or reg.org),
        "can_withdraw": bool(services.allowed_steps(reg, Party.REGISTRANT)),
    }
    return _public(request, "registration/public/receipt.html", context)


def mask_name(name: str) -> str:
    """'王建国' -> '王**': a receipt link may be forwarded."""
    return name[:1] + "*" * (len(name) - 1) if name else ""


@require_roles(WORKER_ROLES)
def desk_export(request):
    """The desk's rows as Excel, with the desk's filters; contact numbers masked; audited."""
    from dangjian.imports.exports import ExportColumn, export_response

    community, filters = _desk_filters(request)
    rows = selectors.desk_registrations(request.user, community=community, **filters).select_related(
        "member", "org", "community"
    )
    columns = [
        ExportColumn(_("类型"), lambda r: r.get_kind_display()),
        ExportColumn(_("报到人/单位党组织"), lambda r: r.subject_name, width=24),
        ExportColumn(_("报到社区"), lambda r: r.community.name),
        ExportColumn(_("状态"), lambda r: r.get_status_display()),
        ExportColumn(_("联系电话"), lambda r: r.contact_mobile, personal="mobile"),
        ExportColumn(_("提交时间"), lambda r: timezone.localtime(r.submitted_at).strftime("%Y-%m-%d %H:%M")),
        ExportColumn(
            _("确认时间"), lambda r: timezone.localtime(r.decided_at).strftime("%Y-%m-%d %H:%M") if r.decided_at else ""
        ),
    ]
    return export_response(
        request=request,
        queryset_or_rows=rows,
        columns=columns,
        filename=_("双报到"),
        actor=request.user,
        object_type="registration.registration",
        filters={k: v for k, v in filters.items() if v},
    )


@require_roles(WORKER_ROLES)
@require_http_methods(["GET", "POST"])
def summary_export(request):
    """The summary table of a node (one row per community, then the total) as Excel; audited.
    Counts only: the people behind them are in each community's 应报未报 export."""
    from dangjian.imports.exports import export_response
    from dangjian.imports.more_exports import SUMMARY_COLUMNS

    area = _summary_area(request)
    result = selectors.registration_summary(area)
    for row in result.rows:
        row.community_label = row.community.name
    rows = list(result.rows)
    if result.total is not None:
        result.total.community_label = _("合计")
        rows.append(result.total)
    return export_response(
        request=request,
        queryset_or_rows=rows,
        columns=SUMMARY_COLUMNS,
        filename=_("%(area)s双报到汇总") % {"area": area.name},
        actor=request.user,
        object_type="registration.summary",
        filters={"area": area.name, "date": timezone.localdate().isoformat()},
        area_path=area.path,
    )


@require_roles(WORKER_ROLES)
@require_http_methods(["GET", "POST"])
def documents_export(request, public_id):
    """A community's 文件清单 as Excel, as the five-lists page shows it; audited."""
    from dangjian.imports.exports import export_response
    from dangjian.imports.more_exports import DOCUMENT_COLUMNS

    area = _community(request, public_id)
    documents = CommunityDocument.objects.visible_to(request.user).filter(community=area).select_related("community")
    return export_response(
        request=request,
        queryset_or_rows=documents.order_by("-published_on", "-pk"),
        columns=DOCUMENT_COLUMNS,
        filename=_("%(c)s文件清单") % {"c": area.name},
        actor=request.user,
        object_type="registration.communitydocument",
        filters={"community": area.name},
        area_path=area.path,
    )
