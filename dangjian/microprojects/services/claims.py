"""双认领: a resident unit (its contact) or an in-service Party member claims a project or part of
it (money, labour, materials) from the phone; once per person, project and kind (the unique index
decides a race). The claim is on the project's record; a member's claim enters their points (service
record) when the project is accepted, and shows on the member's and the unit's pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from dangjian.accounts.roles import Role, active_assignment
from dangjian.audit.services import audit_record
from dangjian.core.scoping import active_role
from dangjian.people.models import Member, MemberStatus

from ..models import CLAIM_STATUSES, Claim, ClaimKind, Project
from ..workflow import PROJECT_FLOW
from .projects import _home_community_id, parse_amount, record_facts


def claimant_of(actor: Any) -> tuple[Any, Member | None, str]:
    """(unit, member, name) the actor claims as; refused for anyone else."""
    role = active_role(actor)
    if role == Role.UNIT_CONTACT:
        assignment = active_assignment(actor)
        unit = assignment.unit if assignment is not None else None
        if unit is None:
            raise ValidationError(_("您的账号没有关联驻区单位。"))
        return unit, None, unit.name
    if role == Role.PARTY_MEMBER:
        member = Member.objects.filter(user_id=actor.pk).first()
        if member is not None and member.status != MemberStatus.IN_SERVICE:
            raise ValidationError(
                _("双认领面向在职党员，您的党员状态为「%(s)s」。") % {"s": member.get_status_display()}
            )
        name = member.name if member is not None else (actor.full_name or actor.username)
        return None, member, name
    raise ValidationError(_("只有驻区单位联络员和在职党员可以认领项目。"))


@transaction.atomic
def claim_make(
    *, actor: Any, project: Project, kind: str, part: str = "", amount: Any = None, hours: Any = None
) -> Claim:
    if kind not in ClaimKind.values:
        raise ValidationError({"kind": _("请选择认领内容（资金、人力或物资）。")})
    unit, member, name = claimant_of(actor)
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if _home_community_id(actor) != locked.community_id:
        raise ValidationError(_("只能认领本社区（双报到社区）的项目。"))
    if locked.status not in CLAIM_STATUSES:
        raise ValidationError(
            _("「%(p)s」当前为「%(s)s」，不在认领期。") % {"p": locked.title, "s": locked.get_status_display()}
        )
    money = parse_amount(amount, "amount", required=kind == ClaimKind.MONEY)
    if kind == ClaimKind.MONEY and not money:
        raise ValidationError({"amount": _("请填写认领的资金（元）。")})
    labour = None
    if kind == ClaimKind.LABOUR:
        try:
            labour = round(float(hours or 0), 1)
        except (TypeError, ValueError):
            labour = 0
        if labour <= 0 or labour > 10000:
            raise ValidationError({"hours": _("请填写认领的服务时长（小时）。")})
    if kind == ClaimKind.MATERIALS and not (part or "").strip():
        raise ValidationError({"part": _("请写明认领的物资。")})
    try:
        with transaction.atomic():
            claim = Claim.objects.create(
                project=locked,
                kind=kind,
                part=(part or "").strip()[:200],
                amount=money if kind == ClaimKind.MONEY else None,
                hours=labour,
                claimant=actor,
                claimant_name=name[:100],
                unit=unit,
                member=member,
                area_path=locked.area_path,
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("您已认领过「%(p)s」的%(k)s。") % {"p": locked.title, "k": ClaimKind(kind).label}
        ) from exc
    Project.objects.filter(pk=locked.pk).update(claims_count=F("claims_count") + 1)
    PROJECT_FLOW.log(
        locked,
        actor=actor,
        step="claim",
        from_status=locked.status,
        to_status=locked.status,
        note=f"{name} · {ClaimKind(kind).label}{('：' + claim.part) if claim.part else ''}",
    )
    audit_record(actor=actor, action="create", obj=claim, area_path=locked.area_path)
    record_facts(locked)
    return claim
