"""A passed resolution becomes a case or a demand: a confirmation page, then the create POST."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from dangjian.cases.models import CaseCategory
from dangjian.core.idempotency import idempotent
from dangjian.core.views import require_roles
from dangjian.microprojects.models import Kind

from .. import selectors
from ..models import LinkTarget
from ..permissions import MANAGE_ROLES
from ..services import links as services
from . import NAV, flash


def _source(request, public_id, matter):
    """The run's matter or the topic (404 when out of scope), and the page to go back to."""
    if matter is not None:
        run = selectors.run_get(request.user, public_id)
        return selectors.matter_get(run, matter), None, run.title, redirect("deliberation:run", public_id=run.public_id)
    topic = selectors.topic_get(request.user, public_id)
    return None, topic, topic.title, redirect("deliberation:topic", public_id=topic.public_id)


@require_roles(MANAGE_ROLES)
@idempotent
def link_new(request, public_id, target, matter=None):
    """根据决议创建事件、需求或项目: what will be made, confirmed by a second press; a resolution makes one of each."""
    if target not in LinkTarget.values:
        raise Http404
    matter_obj, topic, source_title, back = _source(request, public_id, matter)
    try:
        resolution = services.resolution_of(matter_obj, topic)
    except ValidationError as exc:
        flash(request, exc)
        return back
    made = services.existing_target(resolution, target)
    if made is not None and request.method != "POST":
        messages.info(request, _("该决议已创建过，未重复创建。"))
        return redirect(made.get_absolute_url())
    categories = CaseCategory.objects.filter(is_active=True).order_by("name") if target == LinkTarget.CASE else []
    if request.method == "POST":
        post = request.POST
        try:
            if target == LinkTarget.CASE:
                category = next((c for c in categories if str(c.pk) == post.get("category")), None)
                if category is None:
                    raise ValidationError({"category": _("请选择事件类别。")})
                obj, created = services.resolution_case(
                    actor=request.user,
                    category=category,
                    matter=matter_obj,
                    topic=topic,
                    description=post.get("description", ""),
                )
            elif target == LinkTarget.PROJECT:
                obj, created = services.resolution_project(
                    actor=request.user,
                    kind=post.get("kind", ""),
                    matter=matter_obj,
                    topic=topic,
                    description=post.get("description", ""),
                    estimated_amount=post.get("estimated_amount") or None,
                )
            else:
                obj, created = services.resolution_demand(
                    actor=request.user, matter=matter_obj, topic=topic, description=post.get("description", "")
                )
        except ValidationError as exc:
            flash(request, exc)
        else:
            if created:
                messages.success(request, _("已根据议事决议创建%(k)s。") % {"k": LinkTarget(target).label})
            else:
                messages.info(request, _("该决议已创建过，未重复创建。"))
            return redirect(obj.get_absolute_url())
    return render(
        request,
        "deliberation/link_confirm.html",
        {
            "resolution": resolution,
            "source_title": source_title,
            "target_label": LinkTarget(target).label,
            "is_case": target == LinkTarget.CASE,
            "is_project": target == LinkTarget.PROJECT,
            "project_kinds": Kind.choices,
            "categories": categories,
            "post": request.POST,
            "back_url": back.url,
            "active_nav": NAV,
        },
    )
