"""A community's pages: its registration link and QR code, who has not registered, the five lists, documents."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core.keyset import capped_counts, keyset_page, page_params
from dangjian.core.scoping import active_role
from dangjian.core.views import querystring_without_page, require_roles
from dangjian.territory.models import Area

from .. import selectors, services
from ..forms import DocumentForm
from ..models import CommunityDocument
from ..permissions import DECIDING_ROLES, LINK_ROLES, WORKER_ROLES
from .common import NAV, PAGE_SIZE, add_errors, community_or_404

# --- a community's pages -------------------------------------------------------------------


def qr_svg(url: str, *, scale: int = 5) -> str:
    """The QR code of `url` as inline SVG (segno, pure Python)."""
    return segno.make(url, error="m").svg_inline(scale=scale, dark="#1f2328", title=url)


def public_url(request, token: str) -> str:
    return request.build_absolute_uri(reverse("registration:public_start", args=[token]))


@require_roles(WORKER_ROLES)
def community(request, public_id):
    area = community_or_404(request, public_id)
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
    area = community_or_404(request, public_id)
    existed = selectors.link_for(area) is not None
    services.link_generate(actor=request.user, community=area)
    if existed:
        messages.success(request, _("已重新生成报到链接，旧的二维码和链接已失效，请更换张贴的二维码。"))
    else:
        messages.success(request, _("已生成报到链接和二维码。"))
    return redirect("registration:community", public_id=area.public_id)


@require_roles(WORKER_ROLES)
def link_qr(request, public_id):
    area = community_or_404(request, public_id)
    link = selectors.link_for(area)
    if link is None:
        raise Http404
    svg = segno.make(public_url(request, link.token), error="m").svg_inline(scale=12, dark="#000")
    response = HttpResponse('<?xml version="1.0" encoding="utf-8"?>\n' + svg, content_type="image/svg+xml")
    response["Content-Disposition"] = f'attachment; filename="registration-{area.code or area.public_id}.svg"'
    return response


@require_roles(WORKER_ROLES)
def unregistered(request, public_id):
    area = community_or_404(request, public_id)
    tab = "units" if request.GET.get("tab") == "units" else "members"
    query = request.GET.get("q", "").strip()
    members = selectors.unregistered_members(area)
    units = selectors.unregistered_units(area)
    if query:
        members = members.filter(name__icontains=query)
        units = units.filter(name__icontains=query)
    # Both tabs' counts in one query, each exact up to core.keyset.COUNT_CAP (a community holds fewer).
    counts = capped_counts({"members": members, "units": units}, orderings={"members": selectors.UNREGISTERED_ORDER})
    page = keyset_page(
        members if tab == "members" else units,
        selectors.UNREGISTERED_ORDER,
        **page_params(request),
        per_page=PAGE_SIZE,
        count=counts[tab],
    )
    context = {
        "area": area,
        "tab": "unregistered",
        "list_tab": tab,
        "q": query,
        "page": page,
        "members_count": counts["members"],
        "units_count": counts["units"],
        "querystring": querystring_without_page(request),
        "active_nav": NAV,
    }
    return render(request, "registration/unregistered.html", context)


@require_roles(WORKER_ROLES)
def five_lists(request, public_id):
    area = community_or_404(request, public_id)
    sections = selectors.community_five_lists(area)
    by_key = {s.key: s for s in sections}
    active = by_key.get(request.GET.get("list", ""), sections[0])
    page = None
    if active.available:  # the list's count was read with the others (one query)
        page = keyset_page(
            active.items, active.ordering, **page_params(request), per_page=PAGE_SIZE, count=active.count
        )
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
    area = community_or_404(request, public_id)
    form = DocumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_create(actor=request.user, community=area, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
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
            add_errors(form, exc)
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
