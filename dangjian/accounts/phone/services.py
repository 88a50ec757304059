"""Writes a verified mobile number allows in accounts: a new password (找回密码)."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.audit.services import Action, audit_record

from .. import throttle
from ..models import PhoneCodePurpose, User
from ..services import user_area_path
from .codes import code_redeem


def NO_ACCOUNT_MESSAGE() -> str:  # noqa: N802  (a message, translated when asked)
    return _("该手机号没有注册账号。居民可先注册；工作人员请联系管理员。")


def account_for_mobile(mobile: str) -> User | None:
    return User.objects.filter(mobile=mobile, is_active=True).first()


@transaction.atomic
def password_reset_by_code(*, code_id: int, mobile: str, new_password: str, ip: str | None = None) -> User:
    """Set the password of the account `mobile` names, once its owner has typed the SMS code."""
    user = User.objects.select_for_update().filter(mobile=mobile, is_active=True).first()
    if user is None:
        raise ValidationError(NO_ACCOUNT_MESSAGE())
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    code_redeem(code_id=code_id, mobile=mobile, purpose=PhoneCodePurpose.RESET)
    user.set_password(new_password)
    user.must_change_password = False
    user.temporary_password_at = None
    user.save(update_fields=["password", "must_change_password", "temporary_password_at"])
    # The person has proved who they are: the failures that locked them out no longer hold.
    throttle.clear_failures(user)
    audit_record(
        actor=user,
        action=Action.RESET_PASSWORD,
        obj=user,
        changes={"via": "sms_code"},
        ip=ip,
        area_path=user_area_path(user),
    )
    return user
