"""Writes of dual registration (双报到). Every write is atomic and audited; every workflow step is logged.

The workflow is declared in workflow.py and run by core.workflow.take_step: two workers deciding
the same registration at once leave one decision (the row is locked and the update is conditional
on the status it was read in).
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.services import Action, audit_record, diff, snapshot
from dangjian.core.scoping import acting_user
from dangjian.core.validators import validate_mobile
from dangjian.core.workflow import TransitionRefused, take_step
from dangjian.people.models import Member, MemberStatus
from dangjian.territory.models import Area, Level
from dangjian.units.models import ResidentUnit

from . import selectors
from .models import CommunityDocument, Registration, RegistrationKind, RegistrationLink, RegistrationStatus
from .workflow import FLOW, OPEN_STATUSES, SUBMIT, Party, Step

S = RegistrationStatus


LINK_TOKEN_BYTES = 18  # 24 URL-safe characters, 144 random bits


class DuplicateRegistration(ValidationError):
    """The member (or the organization, in this community) already has an open registration."""


class NoMatch(ValidationError):
    """The public form's details match no record (the message never says which detail was wrong)."""


def _clean_skills(skills: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(s.strip() for s in skills if s and s.strip()))[:20]


def _check_community(community: Area) -> None:
    if community.level != Level.COMMUNITY:
        raise ValidationError({"community": _("双报到只能报到到社区。")})


def _duplicate_member_message(existing: Registration) -> str:
    return _("您已于 %(d)s 向「%(c)s」提交报到（%(s)s），请勿重复提交。") % {
        "d": timezone.localtime(existing.submitted_at).strftime("%Y-%m-%d"),
        "c": existing.community.name,
        "s": existing.get_status_display(),
    }


def _duplicate_org_message(existing: Registration) -> str:
    return _("「%(o)s」已于 %(d)s 向「%(c)s」提交报到（%(s)s），请勿重复提交。") % {
        "o": existing.org.name if existing.org else "",
        "d": timezone.localtime(existing.submitted_at).strftime("%Y-%m-%d"),
        "c": existing.community.name,
        "s": existing.get_status_display(),
    }


def _open_member_registration(member: Member) -> Registration | None:
    return (
        Registration.objects.filter(member=member, status__in=OPEN_STATUSES).select_related("community", "org").first()
    )


def _open_org_registration(org_id: int, community: Area) -> Registration | None:
    return (
        Registration.objects.filter(org_id=org_id, community=community, status__in=OPEN_STATUSES)
        .select_related("community", "org")
        .first()
    )


def _save_new(registration: Registration, duplicate: Any) -> None:
    """Insert; a concurrent duplicate hits the partial unique constraint and gets the same clear message."""
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError as exc:
        existing = duplicate()
        if existing is None:
            raise
        raise DuplicateRegistration(
            _duplicate_member_message(existing)
            if registration.kind == RegistrationKind.MEMBER
            else _duplicate_org_message(existing)
        ) from exc


@transaction.atomic
def registration_submit_member(
    *,
    actor: Any,
    member: Member,
    community: Area,
    contact_mobile: str = "",
    skills: Iterable[str] = (),
    note: str = "",
    via: str = "",
    ip: str | None = None,
) -> Registration:
    """An in-service member registers at a community (normally where they live)."""
    _check_community(community)
    if member.status != MemberStatus.IN_SERVICE:
        raise ValidationError(
            _("双报到面向在职党员；您的党员状态为「%(s)s」，如有疑问请联系所在党组织。")
            % {"s": member.get_status_display()}
        )
    if contact_mobile:
        contact_mobile = validate_mobile(contact_mobile)
    existing = _open_member_registration(member)
    if existing is not None:
        raise DuplicateRegistration(_duplicate_member_message(existing))
    registration = Registration(
        kind=RegistrationKind.MEMBER,
        member=member,
        community=community,
        contact_name=member.name,
        contact_mobile=contact_mobile,
        skills=_clean_skills(skills),
        note=note.strip()[:300],
    )
    _save_new(registration, lambda: _open_member_registration(member))
    FLOW.log(registration, actor=actor, step=SUBMIT, from_status="", to_status=S.SUBMITTED, note=via or _("提交报到"))
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=registration,
        changes={
            "kind": [None, str(RegistrationKind.MEMBER.label)],
            "member": [None, member.name],
            "community": [None, community.name],
            "status": [None, str(S.SUBMITTED.label)],
            "via": [None, via],
        },
        area_path=community.path,
        ip=ip,
    )
    return registration


@transaction.atomic
def registration_submit_unit(
    *,
    actor: Any,
    unit: ResidentUnit,
    community: Area,
    contact_name: str,
    contact_mobile: str,
    skills: Iterable[str] = (),
    note: str = "",
    via: str = "",
    ip: str | None = None,
) -> Registration:
    """A resident unit's Party organization registers at a community (normally where the unit is)."""
    _check_community(community)
    if unit.party_org_id is None:
        raise ValidationError(_("「%(u)s」尚未登记所属党组织，暂不能报到，请联系所在社区。") % {"u": unit.name})
    contact_name = contact_name.strip()
    if not contact_name:
        raise ValidationError({"contact_name": _("请填写联系人姓名。")})
    contact_mobile = validate_mobile(contact_mobile)
    org_id = unit.party_org_id
    existing = _open_org_registration(org_id, community)
    if existing is not None:
        raise DuplicateRegistration(_duplicate_org_message(existing))
    registration = Registration(
        kind=RegistrationKind.UNIT,
        org_id=org_id,
        unit=unit,
        community=community,
        contact_name=contact_name[:50],
        contact_mobile=contact_mobile,
        skills=_clean_skills(skills),
        note=note.strip()[:300],
    )
    _save_new(registration, lambda: _open_org_registration(org_id, community))
    FLOW.log(registration, actor=actor, step=SUBMIT, from_status="", to_status=S.SUBMITTED, note=via or _("提交报到"))
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=registration,
        changes={
            "kind": [None, str(RegistrationKind.UNIT.label)],
            "unit": [None, unit.name],
            "org": [None, str(unit.party_org)],
            "community": [None, community.name],
            "status": [None, str(S.SUBMITTED.label)],
            "via": [None, via],
        },
        area_path=community.path,
        ip=ip,
    )
    return registration


@transaction.atomic
def public_register_member(
    *,
    community: Area,
    name: str,
    id_number: str,
    mobile: str,
    skills: Iterable[str] = (),
    note: str = "",
    ip: str | None = None,
) -> Registration:
    """The self-service form: matched to a Member by ID number AND name, or refused without saying which."""
    member = selectors.match_member(id_number=id_number, name=name)
    if member is None:
        raise NoMatch(_("未找到您的党员信息，请联系所在党组织。"))
    return registration_submit_member(
        actor=None,
        member=member,
        community=community,
        contact_mobile=mobile,
        skills=skills,
        note=note,
        via=_("扫码自助报到"),
        ip=ip,
    )


@transaction.atomic
def public_register_unit(
    *,
    community: Area,
    credit_code: str,
    name: str,
    contact_name: str,
    contact_mobile: str,
    skills: Iterable[str] = (),
    note: str = "",
    ip: str | None = None,
) -> Registration:
    unit = selectors.match_unit(credit_code=credit_code, name=name)
    if unit is None:
        raise NoMatch(_("未找到该单位信息，请核对统一社会信用代码和单位名称，或联系所在社区。"))
    return registration_submit_unit(
        actor=None,
        unit=unit,
        community=community,
        contact_name=contact_name,
        contact_mobile=contact_mobile,
        skills=skills,
        note=note,
        via=_("扫码自助报到"),
        ip=ip,
    )


# --- the workflow (declared in workflow.py, run by core.workflow.take_step) ---------------------


def _settle_home_community(*, actor: Any, registration: Registration) -> str:
    """On confirmation the community vouches that the member lives there: their home community follows.

    Estate and building are cleared when they lie in the old community. Returns a note when it moved.
    """
    member = Member.objects.select_for_update().get(pk=registration.member_id or 0)
    if member.home_community_id == registration.community_id:
        return ""
    fields = ["home_community", "home_estate", "home_building"]
    before = snapshot(member, fields)
    old_name = member.home_community.name if member.home_community is not None else _("未登记")
    member.home_community = registration.community
    if member.home_estate is not None and member.home_estate.community_id != registration.community_id:
        member.home_estate = None
    if member.home_building is not None and member.home_building.community_id != registration.community_id:
        member.home_building = None
    member.save(update_fields=[*fields, "updated_at"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=member,
        changes={**diff(before, snapshot(member, fields)), "reason": [None, _("双报到确认")]},
        area_path=registration.community.path,
    )
    return _("居住社区由「%(old)s」更新为「%(new)s」") % {"old": old_name, "new": registration.community.name}


def _award_registration_points(*, actor: Any, registration: Registration) -> None:
    """The member's 报到 points (classified points), once per registration, when they have an account."""
    from dangjian.points import services as points  # points depends on people, not on registration

    user = registration.member.user if registration.member is not None else None
    if user is not None:
        points.award(
            user=user, rule_code="registration", event_key=f"registration:{registration.public_id}", actor=actor
        )


def _take(*, actor: Any, registration: Registration, step: str, party: str, note: str = "") -> Registration:
    note = (note or "").strip()
    moved: list[str] = []

    def prepare(locked: Registration, parties: set[str]) -> dict[str, Any]:
        if step == Step.WITHDRAW and party == Party.COMMUNITY and not note:
            raise ValidationError({"note": str(FLOW.steps[Step.WITHDRAW].note_message)})
        fields: dict[str, Any] = {}
        if step in (Step.CONFIRM, Step.REJECT):
            fields.update(decided_at=timezone.now(), decided_by=acting_user(actor), decision_note=note[:300])
        elif note:
            fields["decision_note"] = note[:300]
        if step == Step.CONFIRM and locked.kind == RegistrationKind.MEMBER:
            moved.append(_settle_home_community(actor=actor, registration=locked))
        return fields

    def log_note(locked: Registration) -> str:
        parts = [note, *[m for m in moved if m]]
        return "；".join(p for p in parts if p)

    def after(locked: Registration, from_status: str) -> None:
        if step == Step.CONFIRM and locked.kind == RegistrationKind.MEMBER:
            _award_registration_points(actor=actor, registration=locked)

    audit: dict[str, Any] = {"by": [None, str(Party(party).label)]}
    if note:
        audit["note"] = [None, note]
    return take_step(
        FLOW.acting_as(party),
        actor=actor,
        obj=registration,
        step=step,
        # Computed once the home community moved (a confirmation); a plain note keeps the engine's check.
        note=log_note if step == Step.CONFIRM else note,
        prepare=prepare,
        after=after,
        audit=audit,
    )


@transaction.atomic
def registration_confirm(*, actor: Any, registration: Registration, note: str = "") -> Registration:
    return _take(actor=actor, registration=registration, step=Step.CONFIRM, party=Party.COMMUNITY, note=note)


@transaction.atomic
def registration_reject(*, actor: Any, registration: Registration, reason: str) -> Registration:
    return _take(actor=actor, registration=registration, step=Step.REJECT, party=Party.COMMUNITY, note=reason)


@transaction.atomic
def registration_withdraw(*, actor: Any, registration: Registration, party: str, note: str = "") -> Registration:
    return _take(actor=actor, registration=registration, step=Step.WITHDRAW, party=party, note=note)


@transaction.atomic
def registration_step(*, actor: Any, registration: Registration, step: str, party: str, note: str = "") -> Registration:
    """Take any declared step by name, as `party` (the views and the transition tests use this)."""
    if step not in Step.values or party not in Party.values:
        raise TransitionRefused(_("未知的操作。"))
    return _take(actor=actor, registration=registration, step=step, party=party, note=note)


# --- the community's link ----------------------------------------------------------------


@transaction.atomic
def link_generate(*, actor: Any, community: Area) -> RegistrationLink:
    """Give the community a (new) self-service link; the old one, if any, stops working at once."""
    _check_community(community)
    user = acting_user(actor)
    token, now = secrets.token_urlsafe(LINK_TOKEN_BYTES), timezone.now()
    link = RegistrationLink.objects.select_for_update().filter(community=community).first()
    if link is None:
        try:
            with transaction.atomic():
                link = RegistrationLink.objects.create(
                    community=community, token=token, generated_at=now, generated_by=user
                )
        except IntegrityError:  # created by someone else a moment ago: rotate that one instead
            link = RegistrationLink.objects.select_for_update().get(community=community)
        else:
            audit_record(
                actor=actor,
                action=Action.CREATE,
                obj=link,
                object_id=str(community.public_id),
                changes={"link": [None, _("已生成")]},
                area_path=community.path,
            )
            return link
    link.token, link.generated_at, link.generated_by = token, now, user
    link.save(update_fields=["token", "generated_at", "generated_by"])
    # The token itself is a credential of sorts: the audit says that it changed, not what it is.
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=link,
        object_id=str(community.public_id),
        changes={"link": [_("旧链接已失效"), _("已重新生成")]},
        area_path=community.path,
    )
    return link


# --- 文件清单 ------------------------------------------------------------------------------

DOCUMENT_FIELDS = ["title", "body", "link", "published_on"]


def _validate_document(title: str) -> str:
    title = title.strip()
    if not title:
        raise ValidationError({"title": _("请填写文件标题。")})
    return title


@transaction.atomic
def document_create(
    *, actor: Any, community: Area, title: str, published_on: datetime.date, body: str = "", link: str = ""
) -> CommunityDocument:
    _check_community(community)
    document = CommunityDocument.objects.create(
        community=community,
        title=_validate_document(title)[:200],
        body=body.strip(),
        link=link.strip(),
        published_on=published_on,
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=document,
        changes=diff({}, snapshot(document, DOCUMENT_FIELDS)),
        area_path=community.path,
    )
    return document


@transaction.atomic
def document_update(
    *,
    actor: Any,
    document: CommunityDocument,
    title: str,
    published_on: datetime.date,
    body: str = "",
    link: str = "",
) -> CommunityDocument:
    document = CommunityDocument.objects.select_for_update().select_related("community").get(pk=document.pk)
    before = snapshot(document, DOCUMENT_FIELDS)
    document.title = _validate_document(title)[:200]
    document.body, document.link, document.published_on = body.strip(), link.strip(), published_on
    changes = diff(before, snapshot(document, DOCUMENT_FIELDS))
    if changes:
        document.save(update_fields=DOCUMENT_FIELDS)
        audit_record(
            actor=actor, action=Action.UPDATE, obj=document, changes=changes, area_path=document.community.path
        )
    return document


@transaction.atomic
def document_delete(*, actor: Any, document: CommunityDocument) -> None:
    document = CommunityDocument.objects.select_for_update().select_related("community").get(pk=document.pk)
    audit_record(
        actor=actor,
        action=Action.DELETE,
        obj=document,
        changes=diff(snapshot(document, DOCUMENT_FIELDS), {}),
        area_path=document.community.path,
    )
    document.delete()
