"""The reserve pool (社区后备人才库): a candidate added with where they came from and how they were
assessed, their assessment updated, and their leaving the pool (appointed or left)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.services import Action, audit_record
from dangjian.core.validators import validate_mobile
from dangjian.territory.models import Area, Level

from ..models import CandidateSource, CandidateStatus, Education, ReserveCandidate
from ..permissions import require_manager


@transaction.atomic
def candidate_add(
    *,
    actor: Any,
    community: Area,
    name: str,
    birth_date: datetime.date,
    education: str,
    source: str,
    is_party_member: bool = False,
    mobile: str = "",
    assessment: str = "",
    added_on: datetime.date | None = None,
) -> ReserveCandidate:
    require_manager(actor, community.path)
    if community.level != Level.COMMUNITY:
        raise ValidationError({"community": _("请选择社区。")})
    errors = {}
    if not name.strip():
        errors["name"] = _("请填写姓名。")
    if education not in Education.values:
        errors["education"] = _("请选择学历。")
    if source not in CandidateSource.values:
        errors["source"] = _("请选择来源。")
    today = timezone.localdate()
    if not today.year - 70 <= birth_date.year <= today.year - 18:
        errors["birth_date"] = _("出生日期不合理（应满 18 周岁）。")
    if mobile:
        try:
            mobile = validate_mobile(mobile)
        except ValidationError as exc:
            errors["mobile"] = " ".join(exc.messages)
    if errors:
        raise ValidationError(errors)
    candidate = ReserveCandidate.objects.create(
        community=community, name=name.strip()[:50], birth_date=birth_date, education=education, source=source,
        is_party_member=is_party_member, mobile=mobile, assessment=assessment.strip(), added_on=added_on or today,
    )  # fmt: skip
    audit_record(actor=actor, action=Action.CREATE, obj=candidate, area_path=candidate.area_path)
    return candidate


@transaction.atomic
def candidate_update(*, actor: Any, candidate: ReserveCandidate, assessment: str, status: str) -> ReserveCandidate:
    require_manager(actor, candidate.area_path)
    if status not in CandidateStatus.values:
        raise ValidationError({"status": _("请选择状态。")})
    candidate = ReserveCandidate.objects.select_for_update().get(pk=candidate.pk)
    changes = {}
    if candidate.assessment != assessment.strip():
        changes["assessment"] = [candidate.assessment[:100], assessment.strip()[:100]]
    if candidate.status != status:
        changes["status"] = [candidate.status, status]
    candidate.assessment, candidate.status = assessment.strip(), status
    candidate.save(update_fields=["assessment", "status"])
    if changes:
        audit_record(actor=actor, action=Action.UPDATE, obj=candidate, changes=changes, area_path=candidate.area_path)
    return candidate
