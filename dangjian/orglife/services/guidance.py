"""The district's quarterly guidance (重点动作指引): drafted and published by the district admin; on
publishing it counts the district's branches (the base of its coverage figure)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.services import audit_record
from dangjian.core.scoping import acting_user, prefix_q
from dangjian.orgs.models import BRANCHES, PartyOrg
from dangjian.territory.models import Area, Level

from ..models import Guidance
from ..permissions import may_publish_guidance

FIELDS = ("title", "topics", "readings", "activities")


@transaction.atomic
def guidance_save(
    *,
    actor: Any,
    district: Area,
    year: int,
    quarter: int,
    title: str,
    topics: str,
    readings: str = "",
    activities: str = "",
    guidance: Guidance | None = None,
) -> Guidance:
    if actor is not None and not may_publish_guidance(actor):
        raise ValidationError(_("只有区级管理员可以编发重点动作指引。"))
    if district.level != Level.DISTRICT:
        raise ValidationError(_("指引按区编发。"))
    if quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": _("季度须为 1 至 4。")})
    if not title.strip() or not topics.strip():
        raise ValidationError(_("请填写标题和学习主题。"))
    values = {
        "title": title.strip()[:120],
        "topics": topics.strip(),
        "readings": readings.strip(),
        "activities": activities.strip(),
    }
    if guidance is None:
        try:
            with transaction.atomic():
                guidance = Guidance.objects.create(
                    district=district, year=year, quarter=quarter, created_by=acting_user(actor), **values
                )
        except IntegrityError:
            raise ValidationError(_("%(y)s年第%(q)s季度的指引已经有了。") % {"y": year, "q": quarter}) from None
        audit_record(actor=acting_user(actor), action="create", obj=guidance, area_path=guidance.area_path)
        return guidance
    locked = Guidance.objects.select_for_update().get(pk=guidance.pk)
    if locked.published_at is not None:
        raise ValidationError(_("指引已发布，不能再修改。"))
    for key, value in values.items():
        setattr(locked, key, value)
    locked.save()
    audit_record(actor=acting_user(actor), action="update", obj=locked, area_path=locked.area_path)
    return locked


@transaction.atomic
def guidance_publish(*, actor: Any, guidance: Guidance) -> Guidance:
    if actor is not None and not may_publish_guidance(actor):
        raise ValidationError(_("只有区级管理员可以发布重点动作指引。"))
    locked = Guidance.objects.select_for_update().get(pk=guidance.pk)
    if locked.published_at is not None:
        raise ValidationError(_("指引已经发布过了。"))
    branches = PartyOrg.objects.filter(prefix_q("area__path", locked.area_path), org_type__in=sorted(BRANCHES))
    locked.branch_count = branches.count()
    locked.published_at = timezone.now()
    locked.save(update_fields=["branch_count", "published_at"])
    audit_record(
        actor=acting_user(actor),
        action="update",
        obj=locked,
        changes={"published_at": [None, locked.published_at.isoformat()]},
        area_path=locked.area_path,
    )
    return locked
