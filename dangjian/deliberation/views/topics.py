"""Topics: a resident's phone form, the list, and the committee's screening."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core.idempotency import idempotent
from dangjian.core.keyset import keyset_page, page_params
from dangjian.core.scoping import active_role
from dangjian.core.views import querystring_without_page, require_roles
from dangjian.meetings.permissions import manages_area

from .. import selectors
from ..models import TopicSource, TopicStatus
from ..permissions import MANAGE_ROLES, PROPOSE_ROLES
from ..services import topics as services
from ..workflow import TOPIC_FLOW, Party
from . import NAV, PAGE_SIZE, flash

SOURCE_OF_ROLE = {"grid_worker": TopicSource.GRID, "community_worker": TopicSource.COMMITTEE}


@require_roles(PROPOSE_ROLES)
@idempotent
def topic_new(request):
    community = selectors.home_community(request.user)
    if community is None:
        raise Http404
    worker = active_role(request.user) in SOURCE_OF_ROLE
    if request.method == "POST":
        post = request.POST
        source = SOURCE_OF_ROLE.get(active_role(request.user), TopicSource.RESIDENT)
        if worker and post.get("source") in TopicSource.values:
            source = post["source"]
        try:
            topic = services.topic_submit(
                actor=request.user,
                community=community,
                title=post.get("title", ""),
                body=post.get("body", ""),
                source=source,
                source_ref=post.get("source_ref", ""),
            )
        except ValidationError as exc:
            flash(request, exc)
        else:
            messages.success(request, _("议题已提交，社区党委筛选后会告诉您结果。"))
            return redirect("deliberation:topic", public_id=topic.public_id)
    return render(
        request,
        "deliberation/topic_form.html",
        {
            "community": community,
            "worker": worker,
            "sources": TopicSource.choices,
            "post": request.POST,
            "active_nav": NAV,
        },
    )


@require_roles(MANAGE_ROLES | PROPOSE_ROLES)
def topic_list(request):
    status = request.GET.get("status", "")
    qs = selectors.topics(request.user)
    if status in TopicStatus.values:
        qs = qs.filter(status=status)
    page = keyset_page(qs, selectors.TOPIC_ORDER, **page_params(request), per_page=PAGE_SIZE)
    return render(
        request,
        "deliberation/topics.html",
        {
            "page": page,
            "status": status,
            "statuses": TopicStatus.choices,
            "querystring": querystring_without_page(request),
            "may_propose": active_role(request.user) in PROPOSE_ROLES,
            "active_nav": NAV,
        },
    )


@require_roles(MANAGE_ROLES | PROPOSE_ROLES)
def topic_detail(request, public_id):
    topic = selectors.topic_get(request.user, public_id)
    manager = manages_area(request.user, topic.area_path)
    steps = TOPIC_FLOW.allowed_steps(topic.status, {Party.COMMITTEE}) if manager else []
    made = selectors.links_of(topic=topic) if manager and topic.status == TopicStatus.DECIDED else None
    return render(
        request,
        "deliberation/topic.html",
        {
            "topic": topic,
            "hint": TOPIC_FLOW.state(topic.status).hint,
            "steps": [(s, TOPIC_FLOW.step_label(s), TOPIC_FLOW.steps[s]) for s in steps],
            "log": [(row, TOPIC_FLOW.step_label(row.step)) for row in topic.log.all()],
            "link_case": made.get((topic.pk, "case")) if made is not None else None,
            "link_demand": made.get((topic.pk, "demand")) if made is not None else None,
            "link_project": made.get((topic.pk, "project")) if made is not None else None,
            "may_link": made is not None,
            "active_nav": NAV,
        },
    )


@require_POST
@require_roles(MANAGE_ROLES)
def topic_act(request, public_id):
    topic = selectors.topic_get(request.user, public_id)
    step = request.POST.get("step", "")
    if step not in TOPIC_FLOW.steps:
        raise Http404
    try:
        services.topic_step(actor=request.user, topic=topic, step=step, note=request.POST.get("note", ""))
    except ValidationError as exc:
        flash(request, exc)
    else:
        messages.success(
            request,
            str(TOPIC_FLOW.steps[step].done_message)
            % {"obj": TOPIC_FLOW.describe(topic), "step": TOPIC_FLOW.step_label(step)},
        )
    return redirect("deliberation:topic", public_id=topic.public_id)
