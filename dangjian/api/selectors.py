from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import ApiToken

TOKEN_PAGE_LIMIT = 100  # a person keeps a handful of tokens; the page lists the newest 100


def tokens_of(user: Any) -> QuerySet[ApiToken]:
    """A person's own tokens, newest first: nobody sees another's (404, as out of scope)."""
    return ApiToken.objects.filter(user=user).select_related("role").order_by("-created_at", "-pk")


def token_for(user: Any, public_id: Any) -> ApiToken:
    from django.http import Http404

    try:
        return tokens_of(user).get(public_id=public_id)
    except (ApiToken.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
