"""Writes of dual registration (双报到). Every write is atomic and audited; every workflow step is logged.

The workflow is the table TRANSITIONS: (current status, step) -> (new status, who may take it).
A member or unit submits; the community confirms or rejects; either side may withdraw an open
registration. Two workers deciding the same registration at once leave one decision: the row is
locked (select_for_update) and the update is conditional on the status it was read in.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.accounts.roles import Role, acting_user, active_role, active_scope
from dangjian.audit.services import Action, audit_record, diff, snapshot
from dangjian.core.validators import validate_mobile
from dangjian.people.models import Member, MemberStatus
from dangjian.territory.models import Area, Level
from dangjian.units.models import ResidentUnit

from . import selectors
from .models import (
    OPEN_STATUSES,
    CommunityDocument,
    Registration,
    RegistrationKind,
    RegistrationLink,
    RegistrationLog,
    RegistrationStatus,
)

S = RegistrationStatus


class Step(models.TextChoices):
    CONFIRM = "confirm", gettext_lazy("确认")
    REJECT = "reject", gettext_lazy("驳回")
    WITHDRAW = "withdraw", gettext_lazy("撤回")


class Party(models.TextChoices):
    COMMUNITY = "community", gettext_lazy("社区")
    REGISTRANT = "registrant", gettext_lazy("报到人")


# (current status, step) -> (new status, the parties that may take the step). Anything else is refused.
TRANSITIONS: dict[tuple[str, str], tuple[str, frozenset[str]]] = {
    (S.SUBMITTED, Step.CONFIRM): (S.CONFIRMED, frozenset({Party.COMMUNITY})),
    (S.SUBMITTED, Step.REJECT): (S.REJECTED, frozenset({Party.COMMUNITY})),
    (S.SUBMITTED, Step.WITHDRAW): (S.WITHDRAWN, frozenset({Party.COMMUNITY, Party.REGISTRANT})),
    (S.CONFIRMED, Step.WITHDRAW): (S.WITHDRAWN, frozenset({Party.COMMUNITY, Party.REGISTRANT})),
}
# Roles that act for the community on a registration (its own community only).
DECIDING_ROLES = frozenset({Role.COMMUNITY_WORKER})
LINK_TOKEN_BYTES = 18  # 24 URL-safe characters, 144 random bits


class TransitionRefused(ValidationError):
    """An illegal step: wrong status (someone else decided first), or a party that may not take it."""


class DuplicateRegistration(ValidationError):
    """The member (or the organization, in this community) already has an open registration."""


class NoMatch(ValidationError):
    """The public form's details match no record (the message never says which detail was wrong)."""


def allowed_steps(registration: Registration, party: str) -> list[str]:
    return [
        step
        for (status, step), (_to, parties) in TRANSITIONS.items()
        if status == registration.status and party in parties
    ]


def _log(registration: Registration, *, actor: Any, from_status: str, to_status: str, note: str) -> RegistrationLog:
    user = acting_user(actor)
    return RegistrationLog.objects.create(
        registration=registration, actor=user, from_status=from_status, to_status=to_status, note=note[:300]
    )


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
    _log(registration, actor=actor, from_status="", to_status=S.SUBMITTED, note=via or _("提交报到"))
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
    _log(registration, actor=actor, from_status="", to_status=S.SUBMITTED, note=via or _("提交报到"))
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


# --- the workflow ------------------------------------------------------------------------


def _handled_by(registration: Registration) -> str:
    last = registration.log.select_related("actor").order_by("-at", "-pk").first()
    if last is not None and last.actor is not None:
        return str(last.actor)
    return _("报到人") if registration.status == S.WITHDRAWN else _("系统")


def _check_party(*, actor: Any, registration: Registration, party: str) -> None:
    # No actor: the system (demo data, imports) or, for the registrant, the holder of the receipt
    # link, which the view has checked. Views of signed-in people always pass the user.
    if actor is None or getattr(actor, "is_superuser", False):
        return
    if party == Party.COMMUNITY:
        allowed = (
            active_role(actor) in DECIDING_ROLES
            and Registration.objects.visible_to(actor).filter(pk=registration.pk).exists()
        )
        if not allowed:
            raise TransitionRefused(_("只有「%(c)s」的社区工作者可以处理该报到。") % {"c": registration.community.name})
        return
    # The registrant: the member's own account or the unit's contact.
    scope = active_scope(actor)
    is_member = registration.member is not None and registration.member.user_id == actor.pk
    is_unit = registration.unit_id is not None and scope.unit_id == registration.unit_id
    if not (is_member or is_unit):
        raise TransitionRefused(_("只有报到人本人可以撤回该报到。"))


def _transition(*, actor: Any, registration: Registration, step: str, party: str, note: str = "") -> Registration:
    note = (note or "").strip()
    # Lock the row: a second decision waits here, then reads the first one's outcome.
    locked = Registration.objects.select_for_update().get(pk=registration.pk)
    _check_party(actor=actor, registration=locked, party=party)
    entry = TRANSITIONS.get((locked.status, step))
    if entry is None:
        raise TransitionRefused(
            _("该报到已由 %(who)s 处理（当前状态：%(state)s），不能再%(step)s。")
            % {"who": _handled_by(locked), "state": locked.get_status_display(), "step": Step(step).label}
        )
    to_status, parties = entry
    if party not in parties:
        raise TransitionRefused(
            _("%(party)s不能%(step)s报到。") % {"party": Party(party).label, "step": Step(step).label}
        )
    if step == Step.REJECT and not note:
        raise ValidationError({"note": _("请填写驳回原因（报到人可以看到）。")})
    if step == Step.WITHDRAW and party == Party.COMMUNITY and not note:
        raise ValidationError({"note": _("请填写撤回说明（报到人可以看到）。")})
    from_status = locked.status
    fields: dict[str, Any] = {"status": to_status}
    if step in (Step.CONFIRM, Step.REJECT):
        user = actor if actor is not None and actor.is_authenticated else None
        fields.update(decided_at=timezone.now(), decided_by=user, decision_note=note[:300])
    elif note:
        fields["decision_note"] = note[:300]
    # Conditional on the status read under the lock: never two decisions, whatever the backend.
    updated = Registration.objects.filter(pk=locked.pk, status=from_status).update(**fields)
    if updated != 1:  # pragma: no cover - the lock above makes this unreachable; kept as a guard
        raise TransitionRefused(_("该报到已由他人处理，请刷新后查看。"))
    locked.refresh_from_db()
    log_note = note
    if step == Step.CONFIRM and locked.kind == RegistrationKind.MEMBER:
        moved = _settle_home_community(actor=actor, registration=locked)
        if moved:
            log_note = (log_note + "；" if log_note else "") + moved
    _log(locked, actor=actor, from_status=from_status, to_status=to_status, note=log_note)
    if step == Step.CONFIRM and locked.kind == RegistrationKind.MEMBER:
        _award_registration_points(actor=actor, registration=locked)
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=locked,
        changes={
            "status": [str(S(from_status).label), str(S(to_status).label)],
            "step": [None, str(Step(step).label)],
            "by": [None, str(Party(party).label)],
            **({"note": [None, note]} if note else {}),
        },
        area_path=locked.community.path,
    )
    return locked


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


@transaction.atomic
def registration_confirm(*, actor: Any, registration: Registration, note: str = "") -> Registration:
    return _transition(actor=actor, registration=registration, step=Step.CONFIRM, party=Party.COMMUNITY, note=note)


@transaction.atomic
def registration_reject(*, actor: Any, registration: Registration, reason: str) -> Registration:
    return _transition(actor=actor, registration=registration, step=Step.REJECT, party=Party.COMMUNITY, note=reason)


@transaction.atomic
def registration_withdraw(*, actor: Any, registration: Registration, party: str, note: str = "") -> Registration:
    return _transition(actor=actor, registration=registration, step=Step.WITHDRAW, party=party, note=note)


@transaction.atomic
def registration_step(*, actor: Any, registration: Registration, step: str, party: str, note: str = "") -> Registration:
    """Take any step of the table by name, as `party` (the views and the transition tests use this)."""
    if step not in Step.values or party not in Party.values:
        raise TransitionRefused(_("未知的操作。"))
    return _transition(actor=actor, registration=registration, step=step, party=party, note=note)


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
