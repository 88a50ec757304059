"""On the phone: a resident proposes (我要提议) and follows their proposals; units and in-service
members see the projects open to 双认领 and claim a part; every write carries @idempotent."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.accounts.roles import Role, active_assignment
from dangjian.core.idempotency import idempotent
from dangjian.core.keyset import keyset_page, page_params
from dangjian.core.scoping import active_role
from dangjian.core.views import querystring_without_page, require_roles
from dangjian.people.models import Member

from .. import selectors
from ..models import ClaimKind, Kind, Source
from ..permissions import CLAIM_ROLES, PROPOSE_ROLES, VOTE_ROLES
from ..services import claims, progress, projects
from . import PAGE_SIZE, flash

NAV_PROPOSE = "microprojects_propose"
NAV_CLAIM = "microprojects_claims"


@require_roles(PROPOSE_ROLES | CLAIM_ROLES)
def mine(request):
    """我的提议: the projects the person proposed, newest first."""
    qs = selectors.Project.objects.filter(proposed_by=request.user).select_related("community")
    page = keyset_page(qs, selectors.PROJECT_ORDER, **page_params(request), per_page=PAGE_SIZE)
    return render(
        request,
        "microprojects/mine.html",
        {
            "page": page,
            "querystring": querystring_without_page(request),
            "may_propose": active_role(request.user) in PROPOSE_ROLES,
            "active_nav": NAV_PROPOSE,
        },
    )


@require_roles(PROPOSE_ROLES | {Role.UNIT_CONTACT})
@idempotent
def propose(request):
    community = selectors.community_of(request.user)
    if community is None:
        messages.error(request, _("您的账号还没有所在社区，请联系社区工作者。"))
        return redirect("microprojects:mine")
    if request.method == "POST":
        post = request.POST
        source = Source.UNIT if active_role(request.user) == Role.UNIT_CONTACT else Source.RESIDENT
        try:
            project = projects.project_propose(
                actor=request.user,
                community=community,
                title=post.get("title", ""),
                description=post.get("description", ""),
                kind=post.get("kind", ""),
                source=source,
                estimated_amount=post.get("estimated_amount") or None,
            )
        except ValidationError as exc:
            flash(request, exc)
        else:
            messages.success(request, _("提议已提交，社区整理后会提交议事会评议。"))
            return redirect("microprojects:detail", public_id=project.public_id)
    return render(
        request,
        "microprojects/project_form.html",
        {"community": community, "kinds": Kind.choices, "post": request.POST, "active_nav": NAV_PROPOSE},
    )


def _claimant_filter(user):
    role = active_role(user)
    if role == Role.UNIT_CONTACT:
        assignment = active_assignment(user)
        return {"unit": assignment.unit if assignment else None}
    member = Member.objects.filter(user_id=user.pk).first()
    return {"member": member} if member is not None else {"user": user}


@require_roles(CLAIM_ROLES)
def claim_board(request):
    """双认领: the projects of one's community open to claims, and one's own claims."""
    community = selectors.community_of(request.user)
    if community is None:
        raise Http404
    page = keyset_page(
        selectors.claim_board(community), selectors.PROJECT_ORDER, **page_params(request), per_page=PAGE_SIZE
    )
    mine = list(selectors.claims_by(**_claimant_filter(request.user))[:20])
    return render(
        request,
        "microprojects/claims.html",
        {
            "community": community,
            "page": page,
            "mine": mine,
            "kinds": ClaimKind.choices,
            "querystring": querystring_without_page(request),
            "active_nav": NAV_CLAIM,
        },
    )


@require_POST
@require_roles(CLAIM_ROLES)
@idempotent
def claim_new(request, public_id):
    project = selectors.claimable_get(request.user, public_id)
    post = request.POST
    try:
        claims.claim_make(
            actor=request.user,
            project=project,
            kind=post.get("kind", ""),
            part=post.get("part", ""),
            amount=post.get("amount") or None,
            hours=post.get("hours") or None,
        )
    except ValidationError as exc:
        flash(request, exc)
    else:
        messages.success(request, _("认领成功，已记入项目和您的服务记录。"))
    return redirect("microprojects:claims")


@require_POST
@require_roles(VOTE_ROLES)
@idempotent
def vote(request, public_id):
    project = selectors.votable_get(request.user, public_id)
    try:
        progress.vote_cast(
            actor=request.user,
            project=project,
            verdict=request.POST.get("verdict", ""),
            comment=request.POST.get("comment", ""),
        )
    except ValidationError as exc:
        flash(request, exc)
    else:
        messages.success(request, _("感谢您的评价。"))
    if project.community.code:
        return redirect("microprojects:board_project", code=project.community.code, public_id=project.public_id)
    return redirect("microprojects:mine")
