"""双随机 mid-year supervision: the district draws organizations and inspectors at random from a logged
seed (`inspection.draw_sample` over the candidates in a stable order: the scheme's organizations by tree
path, the district's admins by id); an inspector records findings on the phone; each finding is a
rectification item (`FINDING_FLOW`: open → rectified → verified, or back to open)."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.services import audit_record
from dangjian.core.scoping import acting_user
from dangjian.core.workflow import take_step
from dangjian.orgs.models import PartyOrg

from .. import selectors
from ..inspection import draw_sample
from ..models import Draw, Finding, FindingStatus, Pick, Scheme
from ..permissions import may_manage
from ..workflow import CREATE, FINDING_FLOW, FindingStep

MAX_PICKS = 500


def candidates(scheme: Scheme) -> tuple[list[PartyOrg], list[Any]]:
    """The organizations the scheme assesses (by tree path) and the inspectors (the district's admins, by id)."""
    orgs = list(
        PartyOrg.objects.filter(pk__in=scheme.sheets.values("org_id")).select_related("area").order_by("path", "pk")
    )
    inspectors = list(selectors.panel_candidates(scheme).order_by("pk"))
    return orgs, inspectors


def redraw(draw: Draw) -> list[tuple[PartyOrg, Any]]:
    """The draw made again from its logged seed."""
    orgs, inspectors = candidates(draw.scheme)
    return draw_sample(orgs, inspectors, seed=draw.seed, k=draw.org_count, m=draw.inspector_count)


@transaction.atomic
def draw_make(*, actor: Any, scheme: Scheme, org_count: int, inspector_count: int, seed: int | None = None) -> Draw:
    if actor is not None and not may_manage(actor, scheme):
        raise ValidationError(_("只有区委组织部可以双随机抽取。"))
    if not (1 <= org_count <= MAX_PICKS) or not (1 <= inspector_count <= MAX_PICKS):
        raise ValidationError(_("抽取数量应在 1 到 %(n)s 之间。") % {"n": MAX_PICKS})
    orgs, inspectors = candidates(scheme)
    if not orgs:
        raise ValidationError(_("请先为各党组织建立评分表。"))
    if not inspectors:
        raise ValidationError(_("没有可抽取的督导人员。"))
    seed = seed if seed is not None else secrets.randbits(48)
    draw = Draw.objects.create(
        scheme=scheme, area_path=scheme.area_path, seed=seed, org_count=org_count, inspector_count=inspector_count,
        candidate_count=len(orgs), drawn_by=acting_user(actor),
    )  # fmt: skip
    pairs = draw_sample(orgs, inspectors, seed=seed, k=org_count, m=inspector_count)
    Pick.objects.bulk_create(
        [
            Pick(draw=draw, position=i, org=org, area_path=org.area.path, inspector=inspector)
            for i, (org, inspector) in enumerate(pairs, start=1)
        ]
    )
    audit_record(
        actor=actor,
        action="create",
        obj=draw,
        changes={
            "seed": [None, seed],
            "orgs": [None, [o.pk for o, _i in pairs]],
            "inspectors": [None, sorted({i.pk for _o, i in pairs})],
        },
        area_path=draw.area_path,
    )
    return draw


@transaction.atomic
def finding_record(*, actor: Any, pick: Pick, text: str, deadline: datetime.date) -> Finding:
    """The inspector's finding at the drawn organization (from the phone)."""
    if (
        actor is not None
        and pick.inspector_id != getattr(actor, "pk", None)
        and not may_manage(actor, pick.draw.scheme)
    ):
        raise ValidationError(_("只有抽中的督导人员可以记录问题。"))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("请填写发现的问题。")})
    if deadline < timezone.localdate():
        raise ValidationError({"deadline": _("整改时限不能早于今天。")})
    finding = Finding.objects.create(
        pick=pick, org=pick.org, area_path=pick.area_path, text=text[:500], deadline=deadline,
        recorded_by=acting_user(actor),
    )  # fmt: skip
    FINDING_FLOW.log(finding, actor=actor, step=CREATE, from_status="", to_status=FindingStatus.OPEN, note=text[:200])
    audit_record(actor=actor, action="create", obj=finding, changes={"text": [None, text[:200]]},
                 area_path=finding.area_path)  # fmt: skip
    return finding


@transaction.atomic
def finding_rectify(*, actor: Any, finding: Finding, note: str, version: int | None = None) -> Finding:
    return take_step(
        FINDING_FLOW, actor=actor, obj=finding, step=FindingStep.RECTIFY, version=version, note=note,
        fields={"rectified_note": (note or "").strip()[:500]},
    )  # fmt: skip


@transaction.atomic
def finding_verify(*, actor: Any, finding: Finding, version: int | None = None, note: str = "") -> Finding:
    return take_step(FINDING_FLOW, actor=actor, obj=finding, step=FindingStep.VERIFY, version=version, note=note)


@transaction.atomic
def finding_reopen(*, actor: Any, finding: Finding, note: str, version: int | None = None) -> Finding:
    return take_step(FINDING_FLOW, actor=actor, obj=finding, step=FindingStep.REOPEN, version=version, note=note)
