"""The community's public board (no sign-in): every project from 待立项 on with its budget, implementer,
progress, acceptance and what was spent; a signed-in resident of the community gives their
satisfaction vote while the project is being accepted."""

from __future__ import annotations

from django.shortcuts import render

from dangjian.core.keyset import keyset_page, page_params
from dangjian.core.photos import photo_response
from dangjian.core.views import querystring_without_page

from .. import selectors
from ..models import Status
from ..services.progress import may_vote
from ..workflow import PROJECT_FLOW


def board(request, code):
    community = selectors.community_by_code(code)
    page = keyset_page(selectors.board(community), selectors.PROJECT_ORDER, **page_params(request), per_page=20)
    return render(
        request,
        "microprojects/board.html",
        {"community": community, "page": page, "querystring": querystring_without_page(request)},
    )


def board_project(request, code, public_id):
    community = selectors.community_by_code(code)
    project = selectors.public_project(community, public_id)
    return render(
        request,
        "microprojects/board_project.html",
        {
            "community": community,
            "project": project,
            "hint": PROJECT_FLOW.state(project.status).hint,
            "notes": selectors.notes(project),
            "log": [
                (row, PROJECT_FLOW.step_label(row.step))
                for row in project.log.filter(public=True).exclude(step="create").order_by("at", "pk")
            ],
            "may_vote": project.status == Status.ACCEPTING and may_vote(request.user, project),
            "my_vote": selectors.my_vote(request.user, project),
        },
    )


def board_photo(request, code, public_id, photo):
    community = selectors.community_by_code(code)
    project = selectors.public_project(community, public_id)
    return photo_response(selectors.public_photo(community, project, photo).file)
