"""The community's public board (no sign-in): resolutions and results with the date published and
the deadline; a signed-in resident asks a question and reads the answer."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core.idempotency import idempotent
from dangjian.core.keyset import keyset_page, page_params
from dangjian.core.scoping import active_role
from dangjian.core.views import querystring_without_page

from .. import selectors
from ..permissions import ASK_ROLES
from ..services import disclosures as services
from . import flash


def board(request, code):
    community = selectors.community_by_code(code)
    page = keyset_page(selectors.board(community), selectors.BOARD_ORDER, **page_params(request), per_page=20)
    questions = selectors.questions_of(page.object_list)
    return render(
        request,
        "deliberation/board.html",
        {
            "community": community,
            "page": page,
            "rows": [(d, questions[d.pk]) for d in page.object_list],
            "querystring": querystring_without_page(request),
            "may_ask": request.user.is_authenticated
            and (request.user.is_superuser or active_role(request.user) in ASK_ROLES),
        },
    )


@require_POST
@idempotent
def ask(request, code, public_id):
    community = selectors.community_by_code(code)
    disclosure = selectors.disclosure_public(community, public_id)
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("deliberation:board", args=[code]))
    try:
        if not (request.user.is_superuser or active_role(request.user) in ASK_ROLES):
            raise ValidationError(_("您当前的身份不能提问。"))
        services.question_ask(actor=request.user, disclosure=disclosure, text=request.POST.get("text", ""))
    except ValidationError as exc:
        flash(request, exc)
    else:
        messages.success(request, _("问题已提交，社区答复后会显示在这里。"))
    return redirect(reverse("deliberation:board", args=[code]) + f"#d-{disclosure.public_id}")
