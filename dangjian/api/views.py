"""接口令牌: a person issues tokens for their own roles (the secret shown once) and revokes them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from dangjian.core.api import error_response
from dangjian.core.views import client_ip

from . import selectors, services
from .forms import TokenForm


@login_required
@never_cache  # the page that shows a new token must not be kept by any cache
def token_list(request):
    form = TokenForm(request.POST or None, user=request.user)
    issued = None
    if request.method == "POST" and form.is_valid():
        try:
            row, secret = services.token_issue(
                actor=request.user,
                role=form.cleaned_data["role"],
                name=form.cleaned_data["name"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            # Shown on this answer only: only its hash is stored.
            issued = {"token": row, "secret": secret}
            form = TokenForm(user=request.user)
    tokens = list(selectors.tokens_of(request.user)[: selectors.TOKEN_PAGE_LIMIT])
    context = {"form": form, "tokens": tokens, "issued": issued, "active_nav": "api_tokens"}
    return render(request, "api/tokens.html", context)


@login_required
def token_revoke(request, public_id):
    token = selectors.token_for(request.user, public_id)
    if request.method == "POST":
        services.token_revoke(actor=request.user, token=token, ip=client_ip(request))
        messages.success(request, _("令牌 %(p)s… 已作废，使用它的系统将无法再访问。") % {"p": token.prefix})
        return redirect("api_tokens")
    return render(request, "api/token_revoke.html", {"token": token, "active_nav": "api_tokens"})


def unknown_endpoint(request):
    """A path under /api/v1/ that names no endpoint: the API's 404 body, not the site's page."""
    return error_response(404, "not_found", _("没有这个接口，请查看接口文档 /api/v1/docs 。"))
