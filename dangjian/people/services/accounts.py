"""A member's sign-in account: link requests the holder accepts, accounts created for a member, unlinking."""

from __future__ import annotations

import re
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts import services as account_services
from dangjian.accounts.models import RoleAssignment, User
from dangjian.accounts.roles import Role
from dangjian.audit.services import Action, audit_record
from dangjian.core.scoping import acting_user
from dangjian.core.validators import validate_mobile

from .. import selectors
from ..models import OFF_BOOKS_STATUSES, Member
from .members import member_area_path

# --- a member's sign-in account ------------------------------------------------------------

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@+-]{3,30}$")
# A member whose record is history (moved out, deceased, removed) gets no account.
NO_ACCOUNT_STATUSES = OFF_BOOKS_STATUSES


def _check_manages(actor: Any, member: Member) -> None:
    if actor is not None and not selectors.member_managed_by(actor, member):
        raise ValidationError(_("该党员的组织关系不在您的管理范围内，不能为其关联账号。"))


def validate_account_link(*, actor: Any, member: Member, user: Any) -> None:
    """The checks of linking `user` to `member`, without doing it (the page confirms in between)."""
    _check_manages(actor, member)
    if member.status in NO_ACCOUNT_STATUSES:
        raise ValidationError(
            _("%(name)s的状态为「%(s)s」，不能关联账号。") % {"name": member.name, "s": member.get_status_display()}
        )
    if member.user_id is not None and member.user_id != getattr(user, "pk", None):
        raise ValidationError(
            _("该党员已关联账号「%(u)s」，如需更换请先解除关联。") % {"u": member.user.username}  # type: ignore[union-attr]
        )
    if user is None:
        return
    if member.user_id == user.pk:
        raise ValidationError(_("该党员已关联此账号。"))
    if not user.is_active:
        raise ValidationError(_("账号「%(u)s」已停用，不能关联。") % {"u": user.username})
    if user.is_superuser:
        raise ValidationError(_("系统管理员账号不能关联为党员账号。"))
    other = Member.objects.filter(user=user).exclude(pk=member.pk).first()
    if other is not None:
        raise ValidationError(
            _("账号「%(u)s」已关联党员「%(m)s」，一个账号只能关联一名党员。") % {"u": user.username, "m": other.name}
        )


def _grant_party_member_role(*, actor: Any, member: Member, user: Any) -> None:
    """The account signs in as this member: the 党员 role bound to their home community (and organization)."""
    if RoleAssignment.objects.filter(user=user, role=Role.PARTY_MEMBER, is_active=True).exists():
        return
    account_services.role_assign(
        actor=actor, user=user, role=Role.PARTY_MEMBER, org=member.org, home_community=member.home_community
    )


def _locked_member(member: Member) -> Member:
    return (
        Member.objects.select_for_update(of=("self",))
        .select_related("org__area", "home_community", "user", "pending_user")
        .get(pk=member.pk)
    )


def _attach_account(*, actor: Any, member: Member, user: Any) -> Member:
    """Link a locked member to a locked account: the record, the 党员 role, the audit row. Callers check
    who may do it (the account holder accepting, or a worker creating the account just now)."""
    validate_account_link(actor=None, member=member, user=user)
    member.user = user
    member.pending_user, member.pending_by, member.pending_at = None, None, None
    try:
        with transaction.atomic():  # a savepoint: another member took the account a moment ago
            member.save(update_fields=["user", "pending_user", "pending_by", "pending_at", "updated_at"])
    except IntegrityError as exc:
        raise ValidationError(
            _("账号「%(u)s」已关联其他党员，一个账号只能关联一名党员。") % {"u": user.username}
        ) from exc
    # Other requests for this account cannot be accepted any more: one account, one member.
    Member.objects.filter(pending_user=user).update(pending_user=None, pending_by=None, pending_at=None)
    _grant_party_member_role(actor=actor, member=member, user=user)
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=member,
        changes={"user": [None, user.username]},
        area_path=member_area_path(member),
    )
    return member


@transaction.atomic
def member_request_account_link(*, actor: Any, member: Member, user: Any) -> Member:
    """关联账号 with an existing account: asked of the account holder, who accepts it after signing in.
    Until then the account gets nothing (no record, no role). A newer request replaces an older one."""
    member = _locked_member(member)
    user = User.objects.get(pk=user.pk)
    validate_account_link(actor=actor, member=member, user=user)
    before = member.pending_user.username if member.pending_user is not None else None
    member.pending_user, member.pending_by, member.pending_at = user, acting_user(actor), timezone.now()
    member.save(update_fields=["pending_user", "pending_by", "pending_at", "updated_at"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=member,
        changes={"pending_user": [before, user.username]},
        area_path=member_area_path(member),
    )
    return member


@transaction.atomic
def member_cancel_account_request(*, actor: Any, member: Member) -> Member:
    """The worker withdraws a request the account holder has not answered."""
    member = _locked_member(member)
    _check_manages(actor, member)
    return _end_request(actor=actor, member=member)


def _end_request(*, actor: Any, member: Member) -> Member:
    if member.pending_user is None:
        raise ValidationError(_("该党员没有待确认的账号关联请求。"))
    username = member.pending_user.username
    member.pending_user, member.pending_by, member.pending_at = None, None, None
    member.save(update_fields=["pending_user", "pending_by", "pending_at", "updated_at"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=member,
        changes={"pending_user": [username, None]},
        area_path=member_area_path(member),
    )
    return member


def _holders_request(actor: Any, member: Member) -> Member:
    member = _locked_member(member)
    if actor is None or member.pending_user_id != actor.pk:
        raise ValidationError(_("这条关联请求已撤回或已处理。"))
    return member


@transaction.atomic
def member_accept_account_link(*, actor: Any, member: Member) -> Member:
    """The account holder accepts: their account is linked to the record and gets the 党员 role."""
    # The account first: two requests for one account accepted at once queue here, not deadlock.
    user = User.objects.select_for_update().get(pk=actor.pk)
    member = _holders_request(actor, member)
    return _attach_account(actor=actor, member=member, user=user)


@transaction.atomic
def member_decline_account_link(*, actor: Any, member: Member) -> Member:
    """The account holder says it is not them (or not this account)."""
    return _end_request(actor=actor, member=_holders_request(actor, member))


@transaction.atomic
def member_create_account(
    *, actor: Any, member: Member, username: str, mobile: str = "", use_member_mobile: bool = False
) -> tuple[Member, Any, str]:
    """Create an account for the member, link it, and return the temporary password (shown once,
    changed at first sign-in: the accounts app's password reset makes it)."""
    member = Member.objects.select_related("org__area", "home_community", "user").get(pk=member.pk)
    validate_account_link(actor=actor, member=member, user=None)
    username = (username or "").strip()
    if not USERNAME_RE.fullmatch(username):
        raise ValidationError(
            {"username": _("用户名为 3–30 位字母、数字或 _ . @ + - 符号，例如拼音加数字（wangjg01）。")}
        )
    if use_member_mobile:
        mobile = member.mobile
    mobile = (mobile or "").strip()
    if mobile:
        try:
            mobile = validate_mobile(mobile)
        except ValidationError as exc:
            raise ValidationError({"mobile": exc.messages}) from exc
    # A random password nobody sees, replaced at once by the temporary one the reset gives.
    user = account_services.user_create(
        actor=actor,
        username=username,
        password=secrets.token_urlsafe(24),
        full_name=member.name,
        mobile=mobile or None,
        validate=False,
    )
    # The account is new and made for this member: nobody else's account is touched.
    member = _attach_account(actor=actor, member=_locked_member(member), user=user)
    temporary = account_services.password_reset(actor=actor, user=user)
    user.refresh_from_db()
    return member, user, temporary


@transaction.atomic
def member_unlink_account(*, actor: Any, member: Member) -> Member:
    """解除关联: the account no longer signs in as this member, and its 党员 role ends."""
    member = (
        Member.objects.select_for_update(of=("self",))
        .select_related("org__area", "home_community", "user")
        .get(pk=member.pk)
    )
    _check_manages(actor, member)
    user = member.user
    if user is None:
        raise ValidationError(_("该党员尚未关联账号。"))
    member.user = None
    member.save(update_fields=["user", "updated_at"])
    ended = list(RoleAssignment.objects.filter(user=user, role=Role.PARTY_MEMBER, is_active=True))
    for assignment in ended:
        assignment.is_active = False
        assignment.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            obj=assignment,
            changes={"is_active": [True, False], "user": str(user), "role": Role.PARTY_MEMBER},
            area_path=member_area_path(member),
        )
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=member,
        changes={"user": [user.username, None]},
        area_path=member_area_path(member),
    )
    return member
