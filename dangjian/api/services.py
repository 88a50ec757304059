"""Issuing, using and revoking API tokens."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.models import RoleAssignment
from dangjian.audit.services import Action, audit_record

from .models import ApiToken

TOKEN_START = "dj_"
PREFIX_CHARS = 8
# last_used_at is written at most this often per token: a busy client must not write on every call.
TOUCH_EVERY = datetime.timedelta(minutes=1)


def hash_secret(token: str) -> str:
    # The secret is 32 random bytes: a plain digest cannot be brute-forced, and a lookup stays one index read.
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def token_issue(
    *, actor: Any, role: RoleAssignment | None = None, name: str = "", ip: str | None = None
) -> tuple[ApiToken, str]:
    """A new token for `actor` acting as `role` (one of their active assignments; default their first).
    Returns the row and the token text, which is not stored and cannot be shown again."""
    name = (name or "").strip()
    if len(name) > 60:
        raise ValidationError({"name": _("名称最多 60 个字。")})
    roles = RoleAssignment.objects.filter(user=actor, is_active=True).order_by("pk")
    if role is None:
        role = roles.first()
        if role is None:
            raise ValidationError({"role": _("该用户没有有效的身份，无法签发令牌。")})
    elif not roles.filter(pk=role.pk).exists():
        raise ValidationError({"role": _("只能用自己的有效身份签发令牌。")})
    prefix = secrets.token_hex(PREFIX_CHARS // 2)
    token = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiToken.objects.create(
        user=actor,
        role=role,
        name=name or _("接口令牌"),
        prefix=f"{TOKEN_START}{prefix}",
        secret_hash=hash_secret(token),
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=row,
        changes={"token": row.prefix, "role": role.role, "name": row.name},
        ip=ip,
    )
    return row, token


@transaction.atomic
def token_revoke(*, actor: Any, token: ApiToken, ip: str | None = None) -> ApiToken:
    """Revoke one of the actor's own tokens; revoking twice changes nothing."""
    if token.user_id != actor.pk:
        raise ValidationError(_("只能作废自己的令牌。"))
    now = timezone.now()
    # Conditional: two revocations at once write one row and one audit row.
    if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now):
        token.revoked_at = now
        audit_record(actor=actor, action=Action.DELETE, obj=token, changes={"token": token.prefix}, ip=ip)
    else:
        token.refresh_from_db(fields=["revoked_at"])
    return token


def token_authenticate(text: str) -> ApiToken | None:
    """The live token `text` names, with its user and role loaded; None when unknown, revoked, or its
    user or role is no longer active. Marks it used (at most once a minute)."""
    if not text or not text.startswith(TOKEN_START) or len(text) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user", "role")
        .filter(secret_hash=hash_secret(text), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active or not token.role.is_active or token.role.user_id != token.user_id:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOUCH_EVERY)
        ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
