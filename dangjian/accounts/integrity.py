"""accounts' integrity checks (core/integrity.py): what must hold of SMS verification codes and of the
accounts residents made by signing up. Each is one query."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import F, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core import integrity
from dangjian.core.integrity import Finding, Options, finding, rows

from .models import PhoneCode, RoleAssignment, User
from .phone.codes import limits
from .roles import Role


@integrity.register("accounts.phone_codes", gettext_lazy("短信验证码：先验证再使用，错误次数不超限"))
def phone_codes(options: Options) -> Iterator[Finding]:
    # A code is redeemed only after it was verified, and verified only before it expired and within
    # its tries; a row breaking this means a sign-up or reset got through without its code.
    broken = PhoneCode.objects.filter(
        Q(redeemed_at__isnull=False, verified_at__isnull=True)
        | Q(verified_at__gt=F("expires_at"))
        | Q(tries__gt=limits().max_tries)
    )
    for row in rows(broken, "mobile", "tries", "verified_at", "redeemed_at"):
        yield finding(PhoneCode, row, "phone_code_out_of_order", _("验证码未经验证即被使用，或超时、超次后仍通过验证"))


@integrity.register("accounts.resident_links", gettext_lazy("居民账号与户籍登记的关联"))
def resident_links(options: Options) -> Iterator[Finding]:
    # A linked register row was matched by mobile and name: one that no longer has the account's
    # mobile was edited afterwards, and the link should be looked at.
    drifted = User.objects.filter(resident__isnull=False).exclude(resident__mobile=F("mobile"))
    for row in rows(drifted, "username"):
        yield finding(User, row, "resident_link_mobile", _("账号手机号与所关联的户籍登记居民的电话不一致"))
    homeless = RoleAssignment.objects.filter(role=Role.RESIDENT, is_active=True, home_community__isnull=True)
    for row in rows(homeless.filter(user__resident__isnull=False), "user_id"):
        yield finding(RoleAssignment, row, "resident_without_community", _("已关联户籍登记的居民角色缺少居住社区"))
