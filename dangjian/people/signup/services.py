"""A resident signs up alone: a verified mobile number, a name, a password, and their community.

The household register is matched by mobile and name: a resident already registered (by the grid
worker) is linked to the new account and placed in the register's community. Otherwise only the
account is made, bound to the community the person chose: a register row needs a household (building
and room) that a grid worker confirms on a visit, and a self-declared row nobody has checked would
spoil the register the grid work and its figures rely on.
"""

from __future__ import annotations

import secrets
from typing import Any, cast

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from dangjian.accounts.models import PhoneCodePurpose, User
from dangjian.accounts.phone.codes import code_redeem
from dangjian.accounts.roles import Role
from dangjian.accounts.services import role_assign, user_create
from dangjian.audit.services import Action, audit_record
from dangjian.territory.geo import grid_for_point
from dangjian.territory.models import Area, Estate, Level

from ..models import Resident


def account_exists_message() -> str:
    return _("该手机号已注册账号，请直接登录；忘记密码可用短信找回。")


def place_community(
    *, community: Area | None = None, estate_name: str = "", lat: float | None = None, lng: float | None = None
) -> Area:
    """The community a resident lives in: by the estate they name (within the community they chose,
    if any), else the community they chose, else the grid their location lies in."""
    estate_name = (estate_name or "").strip()
    if estate_name:
        estates = Estate.objects.filter(name=estate_name).select_related("community")
        if community is not None:
            estates = estates.filter(community=community)
        found = {e.community for e in estates[:20]}
        if not found:
            raise ValidationError(
                {"estate": _("没有找到名为「%(e)s」的小区，请核对名称，或直接选择社区。") % {"e": estate_name}}
            )
        if len(found) > 1:
            raise ValidationError({"estate": _("有多个社区都有「%(e)s」，请同时选择所在社区。") % {"e": estate_name}})
        return found.pop()
    if community is not None:
        return community
    if lat is not None and lng is not None:
        hit = grid_for_point(lat, lng)
        grid = (
            Area.objects.filter(pk__in=hit.candidates, level=Level.GRID)
            .select_related("parent")
            .order_by("path")
            .first()
        )
        if grid is None or grid.parent is None:
            raise ValidationError({"community": _("您的位置不在本区任何网格内，请直接选择所在社区。")})
        return cast(Area, grid.parent)
    raise ValidationError({"community": _("请选择所在社区，或填写小区名称，或使用当前位置。")})


def _username_for(mobile: str) -> str:
    # The mobile number signs in anyway (username or mobile); as the username it is easy to remember.
    if not User.objects.filter(username=mobile).exists():
        return mobile
    return f"jm{mobile}{secrets.token_hex(2)}"


def register_match(*, mobile: str, name: str) -> Resident | None:
    """The household-register resident with this mobile and name that no account has claimed yet."""
    return (
        Resident.objects.filter(mobile=mobile, name=name, account__isnull=True)
        .select_related("household__building__community")
        .order_by("pk")
        .first()
    )


@transaction.atomic
def resident_signup(
    *,
    code_id: int,
    mobile: str,
    full_name: str,
    password: str,
    community: Area | None = None,
    estate_name: str = "",
    lat: float | None = None,
    lng: float | None = None,
    ip: str | None = None,
) -> User:
    """Make the resident's account (role 居民, bound to their community) and use up the verified code.
    Nothing is written when anything is refused; of two sign-ups racing on one mobile, one wins."""
    full_name = (full_name or "").strip()
    errors: dict[str, Any] = {}
    if not full_name:
        errors["full_name"] = [_("请填写姓名。")]
    elif len(full_name) > 50:
        errors["full_name"] = [_("姓名请控制在 50 字以内。")]
    match = register_match(mobile=mobile, name=full_name) if full_name else None
    home = None
    if match is not None:
        home = match.household.building.community
    else:
        try:
            home = place_community(community=community, estate_name=estate_name, lat=lat, lng=lng)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    try:
        validate_password(password, User(username=mobile, full_name=full_name, mobile=mobile))
    except ValidationError as exc:
        errors["password"] = exc.messages
    if errors or home is None:
        raise ValidationError(errors)
    if User.objects.filter(mobile=mobile).exists():
        raise ValidationError(account_exists_message())
    code_redeem(code_id=code_id, mobile=mobile, purpose=PhoneCodePurpose.SIGNUP)
    try:
        with transaction.atomic():
            user = user_create(
                actor=None, username=_username_for(mobile), password=password, full_name=full_name, mobile=mobile,
                validate=False,
            )  # fmt: skip
    except (IntegrityError, ValidationError) as exc:  # the other sign-up with this mobile got there first
        raise ValidationError(account_exists_message()) from exc
    role_assign(actor=user, user=user, role=Role.RESIDENT, home_community=home)
    changes: dict[str, Any] = {"via": "self_signup", "home_community": [None, str(home)]}
    if match is not None:
        user.resident = match
        user.save(update_fields=["resident"])
        changes["resident"] = [None, f"{match.household} {match.name}"]
    audit_record(actor=user, action=Action.UPDATE, obj=user, changes=changes, ip=ip, area_path=home.path)
    return user
