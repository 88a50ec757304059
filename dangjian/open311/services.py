"""Writes of the Open311 app: API keys (issued, deactivated, touched on use).

A key is shown once, when it is made; only its SHA-256 and its first characters are kept, so a
leaked database does not leak keys and a lost key is replaced, never recovered."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.services import Action, audit_record
from dangjian.cases.intake.reference import intake_reference, intake_reference_changed
from dangjian.core.scoping import acting_user
from dangjian.territory.models import Area, Level

from .models import ApiClient, hash_key

KEY_PREFIX_LENGTH = 8
# last_used_at is for people ("is this key still in use?"): a minute's precision is plenty and
# spares the posting path a write per request.
TOUCH_EVERY = timedelta(minutes=1)
# A full read lists at most 1000 cases: the audit row names the first ones and counts them all.
MAX_AUDITED_NUMBERS = 100


def new_raw_key() -> str:
    return secrets.token_urlsafe(32)


@transaction.atomic
def client_create(
    *, actor: Any, name: str, district: Area, staff_grant: bool = False, ip: str | None = None
) -> tuple[ApiClient, str]:
    """Issue a key for a posting client. Returns the client and the raw key (to show once).

    `staff_grant` lets the key read its district's cases in full (see ApiClient.staff_grant)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写客户端名称。")})
    if district.level != Level.DISTRICT:
        raise ValidationError({"district": _("接口密钥只能按区签发。")})
    if ApiClient.objects.filter(district=district, name=name, is_active=True).exists():
        raise ValidationError({"name": _("本区已有名为「%(n)s」的启用中客户端，请换一个名称。") % {"n": name}})
    raw = new_raw_key()
    client = ApiClient.objects.create(
        name=name,
        district=district,
        key_prefix=raw[:KEY_PREFIX_LENGTH],
        key_hash=hash_key(raw),
        staff_grant=bool(staff_grant),
        created_by=acting_user(actor),
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=client,
        changes={
            "name": [None, name],
            "key_prefix": [None, client.key_prefix],
            **({"staff_grant": [None, True]} if client.staff_grant else {}),
        },
        area_path=district.path,
        ip=ip,
    )
    return client, raw


@transaction.atomic
def client_deactivate(*, actor: Any, client: ApiClient, ip: str | None = None) -> ApiClient:
    """Stop a key: posts with it are refused from now on. Cases it filed stay as they are."""
    locked = ApiClient.objects.select_for_update().select_related("district").get(pk=client.pk)
    if not locked.is_active:
        raise ValidationError(_("客户端「%(n)s」的密钥已停用。") % {"n": locked.name})
    ApiClient.objects.filter(pk=locked.pk).update(is_active=False)
    locked.is_active = False
    intake_reference_changed()  # every process drops its copy of the key (an UPDATE sends no signal)
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=locked,
        changes={"is_active": [True, False]},
        area_path=locked.district.path,
        ip=ip,
    )
    return locked


def client_for_key(raw: str) -> ApiClient | None:
    """The active client holding `raw`, or None (unknown, empty or deactivated).

    Read through the process's intake reference (cases.intake.reference): no query for a key seen
    before; a deactivation is seen at once here and within the token check interval elsewhere."""
    return intake_reference().client(raw)


def client_touch(client: ApiClient) -> None:
    """Record that the key was used (at most once a minute, one conditional UPDATE)."""
    now = timezone.now()
    if client.last_used_at is not None and now - client.last_used_at < TOUCH_EVERY:
        return
    ApiClient.objects.filter(Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOUCH_EVERY), pk=client.pk).update(
        last_used_at=now
    )
    client.last_used_at = now


@transaction.atomic
def client_read_full(*, client: ApiClient, numbers: list[str], ip: str | None = None) -> None:
    """Audit a staff-grant read that showed cases unmasked (one row per response, the numbers in it)."""
    audit_record(
        actor=None,
        action=Action.REVEAL,
        obj=client,
        changes={"service_requests": [None, numbers[:MAX_AUDITED_NUMBERS]], "count": [None, len(numbers)]},
        area_path=client.district.path,
        ip=ip,
    )
