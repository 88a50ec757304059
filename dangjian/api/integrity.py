"""The API's integrity checks (core/integrity.py): a token acts only as one of its own user's roles,
and a revoked token was revoked after it was issued."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core import integrity
from dangjian.core.integrity import Finding, Options, finding, rows

from .models import ApiToken


@integrity.register("api.tokens", gettext_lazy("接口令牌只代表其本人的身份"))
def tokens(options: Options) -> Iterator[Finding]:
    for row in rows(ApiToken.objects.exclude(role__user_id=F("user_id")), "prefix"):
        yield finding(ApiToken, row, "foreign_role", _("令牌 %(p)s 代表了他人的身份") % {"p": row["prefix"]})
    for row in rows(ApiToken.objects.filter(revoked_at__lt=F("created_at")), "prefix"):
        yield finding(
            ApiToken, row, "revoked_before_issued", _("令牌 %(p)s 的作废时间早于签发时间") % {"p": row["prefix"]}
        )
