"""Estate governance (红色物业): the estate's branch, owners' committee and property company (or its 四管
mode and 五有 checklist), property companies, the duty list as data, adjunct members' duties and
contributions."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from dangjian.audit.services import Action, audit_record
from dangjian.core.scoping import acting_user
from dangjian.orgs.models import PartyOrg
from dangjian.territory.models import Area, Estate, Level
from dangjian.units.models import AdjunctMember

from .. import permissions
from ..models import (
    FIVE_HAVES,
    AdjunctContribution,
    AdjunctDuty,
    ContributionKind,
    EstateGovernance,
    ManagementMode,
    PropertyCompany,
)


@transaction.atomic
def company_save(*, actor: Any, district: Area, name: str, branch: PartyOrg | None = None) -> PropertyCompany:
    if district.level != Level.DISTRICT:
        raise ValueError("a district")
    permissions.require_manager(actor, district.path, _("登记物业服务企业"))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写物业服务企业名称。")})
    try:
        with transaction.atomic():
            company, created = PropertyCompany.objects.update_or_create(
                district=district, name=name[:150], defaults={"branch": branch}
            )
    except IntegrityError:  # pragma: no cover - two saves of the same name at once
        raise ValidationError({"name": _("该企业已登记。")}) from None
    audit_record(
        actor=acting_user(actor),
        action=Action.CREATE if created else Action.UPDATE,
        obj=company,
        area_path=district.path,
    )
    return company


@transaction.atomic
def governance_save(
    *,
    actor: Any,
    estate: Estate,
    mode: str,
    company: PropertyCompany | None = None,
    branch: PartyOrg | None = None,
    owners_committee: str = "",
    committee_has_org: bool = False,
    committee_size: int = 0,
    committee_party_members: int = 0,
    haves: set[str] | frozenset[str] = frozenset(),
) -> EstateGovernance:
    """Record how an estate is governed: by a property company, or (none) by one of the 四管 modes with
    the 五有 checklist."""
    permissions.require_manager(actor, estate.community.path, _("登记小区治理情况"))
    if mode not in ManagementMode.values:
        raise ValidationError({"mode": _("请选择管理方式。")})
    if mode == ManagementMode.COMPANY and company is None:
        raise ValidationError({"company": _("请选择物业服务企业。")})
    if mode != ManagementMode.COMPANY:
        company = None
    if committee_party_members > committee_size:
        raise ValidationError({"committee_party_members": _("业委会党员人数不能多于业委会人数。")})
    if branch is not None and branch.estate_id not in (None, estate.pk):
        raise ValidationError({"branch": _("所选党支部不属于该小区。")})
    fields: dict[str, Any] = {
        "mode": mode,
        "company": company,
        "branch": branch,
        "owners_committee": owners_committee.strip()[:150],
        "committee_has_org": bool(committee_has_org and owners_committee.strip()),
        "committee_size": committee_size,
        "committee_party_members": committee_party_members,
    }
    fields.update({key: key in haves for key, _label in FIVE_HAVES})
    governance = EstateGovernance.objects.select_for_update().filter(estate=estate).first()
    if governance is None:
        governance = EstateGovernance(estate=estate)
    for key, value in fields.items():
        setattr(governance, key, value)
    created = governance.pk is None
    governance.save()
    audit_record(
        actor=acting_user(actor),
        action=Action.CREATE if created else Action.UPDATE,
        obj=governance,
        area_path=governance.area_path,
    )
    return governance


@transaction.atomic
def adjunct_duty_add(*, actor: Any, member: AdjunctMember, text: str) -> AdjunctDuty:
    permissions.require_manager(actor, member.committee.area.path, _("登记兼职委员职责"))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("请填写职责。")})
    duty = AdjunctDuty.objects.create(member=member, text=text[:300])
    audit_record(actor=acting_user(actor), action=Action.CREATE, obj=duty, area_path=member.committee.area.path)
    return duty


@transaction.atomic
def adjunct_contribution_add(
    *, actor: Any, member: AdjunctMember, year: int, kind: str, description: str, amount: Any = 0
) -> AdjunctContribution:
    """What an adjunct member brought in a year: a resource (room, volunteers, money) or a project."""
    permissions.require_manager(actor, member.committee.area.path, _("登记兼职委员贡献"))
    if kind not in ContributionKind.values:
        raise ValidationError({"kind": _("请选择类别。")})
    try:
        value = Decimal(str(amount or 0)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValidationError({"amount": _("请填写数量或金额。")}) from None
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": _("请填写内容。")})
    row = AdjunctContribution.objects.create(
        member=member, year=year, kind=kind, description=description[:300], amount=max(value, Decimal(0))
    )
    audit_record(actor=acting_user(actor), action=Action.CREATE, obj=row, area_path=member.committee.area.path)
    return row
