"""Writes to accounts: people, their roles, passwords. Every write is atomic and audited."""

from __future__ import annotations

import re
import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.services import Action, audit_record, diff, snapshot
from dangjian.territory.models import Area, Level

from .models import RoleAssignment, User
from .roles import AREA_ROLES, ROLE_AREA_LEVEL, Role

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# Letters and digits that cannot be mistaken for each other when read aloud or copied.
TEMP_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def validate_mobile(mobile: str | None) -> None:
    if mobile and not MOBILE_RE.fullmatch(mobile):
        raise ValidationError({"mobile": _("手机号应为以 1 开头的 11 位数字。")})


@transaction.atomic
def user_create(
    *, actor: Any, username: str, password: str, full_name: str = "", mobile: str | None = None, validate: bool = True
) -> User:
    validate_mobile(mobile)
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("用户名「%(u)s」已被使用。") % {"u": username}})
    if mobile and User.objects.filter(mobile=mobile).exists():
        raise ValidationError({"mobile": _("该手机号已被其他账号使用。")})
    user = User(username=username, full_name=full_name, mobile=mobile or None)
    if validate:
        validate_password(password, user)
    user.set_password(password)
    user.save()
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=user,
        changes={"username": [None, username], "full_name": [None, full_name]},
    )
    return user


def _assignment_area_path(assignment: RoleAssignment) -> str:
    unit, department, org = assignment.unit, assignment.department, assignment.org
    anchor = assignment.area or assignment.home_community
    if anchor is None and unit is not None:
        anchor = unit.community
    if anchor is None and department is not None:
        anchor = department.area
    if anchor is None and org is not None:
        anchor = org.area
    return anchor.path if anchor else ""


@transaction.atomic
def role_assign(
    *,
    actor: Any,
    user: User,
    role: str,
    area: Area | None = None,
    org: Any = None,
    department: Any = None,
    unit: Any = None,
    home_community: Area | None = None,
) -> RoleAssignment:
    if role in AREA_ROLES:
        if area is None or area.level != ROLE_AREA_LEVEL[role]:
            raise ValidationError(
                {
                    "area": _("%(role)s须绑定到一个%(level)s。")
                    % {"role": Role(role).label, "level": Level(ROLE_AREA_LEVEL[role]).label}
                }
            )
    elif area is not None:
        raise ValidationError({"area": _("该角色不绑定属地。")})
    if role == Role.UNIT_CONTACT and unit is None:
        raise ValidationError({"unit": _("驻区单位联络员须绑定到一个单位。")})
    if role == Role.DEPARTMENT_STAFF and department is None:
        raise ValidationError({"department": _("职能部门人员须绑定到一个部门。")})
    existing = RoleAssignment.objects.filter(
        user=user, role=role, area=area, org=org, department=department, unit=unit, is_active=True
    ).first()
    if existing:
        return existing
    assignment = RoleAssignment.objects.create(
        user=user, role=role, area=area, org=org, department=department, unit=unit, home_community=home_community
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=assignment,
        changes={"user": [None, str(user)], "role": [None, role], "scope": [None, assignment.scope_label]},
        area_path=_assignment_area_path(assignment),
    )
    return assignment


def user_area_path(user: User) -> str:
    assignments = user.role_assignments.select_related(
        "area", "home_community", "unit__community", "department__area", "org__area"
    )
    first = assignments.order_by("pk").first()
    return _assignment_area_path(first) if first else ""


@transaction.atomic
def password_reset(*, actor: Any, user: User) -> str:
    """Give `user` a fresh temporary password (returned once) that must be changed at next sign-in."""
    temporary = "".join(secrets.choice(TEMP_ALPHABET) for _i in range(12))
    user = User.objects.select_for_update().get(pk=user.pk)
    user.set_password(temporary)
    user.must_change_password = True
    user.temporary_password_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "temporary_password_at"])
    audit_record(actor=actor, action=Action.RESET_PASSWORD, obj=user, area_path=user_area_path(user))
    return temporary


@transaction.atomic
def password_change(*, actor: Any, user: User, old_password: str, new_password: str) -> User:
    if not user.check_password(old_password):
        raise ValidationError({"old_password": _("原密码不正确。")})
    if old_password == new_password:
        raise ValidationError({"new_password": _("新密码不能与原密码相同。")})
    validate_password(new_password, user)
    user.set_password(new_password)
    user.must_change_password = False
    user.temporary_password_at = None
    user.save(update_fields=["password", "must_change_password", "temporary_password_at"])
    audit_record(actor=actor, action=Action.CHANGE_PASSWORD, obj=user, area_path=user_area_path(user))
    return user


@transaction.atomic
def user_update(*, actor: Any, user: User, full_name: str | None = None, mobile: str | None = None) -> User:
    before = snapshot(user, ["full_name", "mobile"])
    if full_name is not None:
        user.full_name = full_name.strip()
    if mobile is not None:
        validate_mobile(mobile)
        if mobile and User.objects.filter(mobile=mobile).exclude(pk=user.pk).exists():
            raise ValidationError({"mobile": _("该手机号已被其他账号使用。")})
        user.mobile = mobile or None
    after = snapshot(user, ["full_name", "mobile"])
    changes = diff(before, after)
    if "mobile" in changes:  # personal data: record that it changed, not the numbers
        changes["mobile"] = ["***", "***"]
    if changes:
        user.save(update_fields=["full_name", "mobile"])
        audit_record(actor=actor, action=Action.UPDATE, obj=user, changes=changes, area_path=user_area_path(user))
    return user
