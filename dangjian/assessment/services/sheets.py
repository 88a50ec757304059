"""The writes on one score sheet. Every total is written by `total_write` under the sheet's row lock, from
the stored scores: two panel members scoring at once each insert their own row (unique per member and
sheet) and the second total written reads both."""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.services import audit_record
from dangjian.core.scoping import acting_user
from dangjian.core.workflow import StaleObject, take_step
from dangjian.notices.attachments import CheckedFile, check_attachments

from .. import metrics
from ..models import ChiefScore, Item, PanelScore, ReportFile, Score, Sheet, SheetStatus, Source
from ..permissions import is_panel_member, may_chief_score, may_manage, may_report
from ..workflow import FLOW, Step

TENTH = Decimal("0.1")
EDITABLE = (SheetStatus.DRAFT, SheetStatus.REPORTED)
REPORT_MAX = 10000


def _q(value: Decimal) -> Decimal:
    return Decimal(value).quantize(TENTH, rounding=ROUND_HALF_UP)


def _check_version(locked: Sheet, version: int | None) -> None:
    if version is not None and version != locked.version:
        raise StaleObject(_("评分表已有变化（已退回、确认或公布），请刷新后再评分。"))


def panel_points(sheet: Sheet, item: Item) -> tuple[Decimal | None, str]:
    """The panel item's points: the members' mean out of 100, scaled to the item's weight."""
    agg = PanelScore.objects.filter(sheet=sheet).aggregate(n=Count("pk"), mean=Avg("points"))
    if not agg["n"]:
        return None, ""
    mean = _q(Decimal(str(agg["mean"])))
    points = _q(mean * item.weight / 100)
    text = _("评议组 %(n)s 人打分，平均 %(m)s 分（满分 100）→ %(p)s 分") % {"n": agg["n"], "m": mean, "p": points}
    return points, text


def chief_points(sheet: Sheet, item: Item) -> tuple[Decimal | None, str]:
    """The 街长评分 item's points: the street chiefs' mean out of 100, scaled to the item's weight."""
    agg = ChiefScore.objects.filter(sheet=sheet).aggregate(n=Count("pk"), mean=Avg("points"))
    if not agg["n"]:
        return None, ""
    mean = _q(Decimal(str(agg["mean"])))
    points = _q(mean * item.weight / 100)
    text = _("街长 %(n)s 人评分，平均 %(m)s 分（满分 100）→ %(p)s 分") % {"n": agg["n"], "m": mean, "p": points}
    return points, text


REFRESHED: dict[str, Callable[[Sheet, Item], tuple[Decimal | None, str]]] = {
    Source.PANEL: panel_points,
    Source.CHIEF: chief_points,
}


def total_write(sheet: Sheet) -> Sheet:
    """Lock the sheet, refresh its panel and street-chief items from their scores, then write its total
    and grade."""
    locked = Sheet.objects.select_for_update().select_related("scheme").get(pk=sheet.pk)
    for score in Score.objects.filter(sheet=locked, item__source__in=list(REFRESHED)).select_related("item"):
        points, text = REFRESHED[score.item.source](locked, score.item)
        if (score.points, score.explanation) != (points, text):
            score.points, score.explanation = points, text
            score.entered_at = timezone.now()
            score.save(update_fields=["points", "explanation", "entered_at"])
    total = _q(Score.objects.filter(sheet=locked).aggregate(t=Sum("points"))["t"] or Decimal(0))
    locked.total = total
    locked.grade = locked.scheme.grade_of(total)
    locked.save(update_fields=["total", "grade", "updated_at"])
    return locked


@transaction.atomic
def sheet_recompute(*, actor: Any, sheet: Sheet) -> Sheet:
    """Fill the automatic items from their metrics (the figures as of now), then the total."""
    if sheet.status not in EDITABLE:
        raise ValidationError(_("评分已确认，不能重新计算。"))
    if actor is not None and not may_manage(actor, sheet.scheme):
        raise ValidationError(_("只有区委组织部可以计算得分。"))
    now = timezone.now()
    year = sheet.scheme.year
    for score in Score.objects.filter(sheet=sheet, item__source=Source.AUTO).select_related("item"):
        result = metrics.evaluate(score.item.metric, sheet.subject, year, score.item.weight)
        score.points, score.explanation, score.entered_at, score.entered_by = (
            result.score,
            result.explanation[:500],
            now,
            None,
        )
        score.save(update_fields=["points", "explanation", "entered_at", "entered_by"])
    Sheet.objects.filter(pk=sheet.pk).update(computed_at=now)
    return total_write(sheet)


@transaction.atomic
def score_enter(*, actor: Any, sheet: Sheet, item: Item, points: Decimal, note: str) -> Score:
    """The district's score of a manual item, with the reason (audited)."""
    if not may_manage(actor, sheet.scheme):
        raise ValidationError(_("只有区委组织部可以评分。"))
    if item.scheme_id != sheet.scheme_id or item.source != Source.MANUAL:
        raise ValidationError(_("这一项不是人工评分项。"))
    locked = Sheet.objects.select_for_update().get(pk=sheet.pk)
    if locked.status not in EDITABLE:
        raise ValidationError(_("评分已确认，不能再修改。"))
    points = _q(points)
    if points < 0 or points > item.weight:
        raise ValidationError({"points": _("得分应在 0 到 %(w)s 分之间。") % {"w": item.weight}})
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请填写评分依据。")})
    score = Score.objects.select_for_update().get(sheet=locked, item=item)
    before = score.points
    score.points, score.explanation = points, note[:500]
    score.entered_by, score.entered_at = acting_user(actor), timezone.now()
    score.save(update_fields=["points", "explanation", "entered_by", "entered_at"])
    total_write(locked)
    audit_record(
        actor=actor,
        action="update",
        obj=locked,
        changes={
            "item": [None, item.name],
            "points": [str(before) if before is not None else None, str(points)],
            "note": [None, note[:200]],
        },  # fmt: skip
        area_path=locked.area_path,
    )
    return score


@transaction.atomic
def panel_score(*, actor: Any, sheet: Sheet, points: Decimal, note: str = "", version: int | None = None) -> PanelScore:
    """A panel member's score of the 述职 (out of 100); scoring again replaces their own score. With the
    sheet's `version` as read (the API), a sheet that took a step since is refused (StaleObject)."""
    if not is_panel_member(actor, sheet.scheme):
        raise ValidationError(_("您不是本次考核评议组成员。"))
    points = _q(points)
    if points < 0 or points > 100:
        raise ValidationError({"points": _("评议分应在 0 到 100 分之间。")})
    # The sheet's lock orders two members scoring at once: the second reads the first's row.
    locked = Sheet.objects.select_for_update().get(pk=sheet.pk)
    _check_version(locked, version)
    if locked.status != SheetStatus.REPORTED:
        raise ValidationError(_("述职提交后、评分确认前才能评议打分。"))
    row, created = PanelScore.objects.update_or_create(
        sheet=locked, member=actor, defaults={"points": points, "note": (note or "").strip()[:300]}
    )
    locked = total_write(locked)
    audit_record(
        actor=actor,
        action="create" if created else "update",
        obj=locked,
        changes={"panel_points": [None, str(points)]},
        area_path=locked.area_path,
    )
    return row


@transaction.atomic
def chief_score(*, actor: Any, sheet: Sheet, points: Decimal, note: str = "", version: int | None = None) -> ChiefScore:
    """A street chief's (街长) score of a stationed department (out of 100); scoring again replaces their
    own score. Open until the district confirms the sheet; `version` as for `panel_score`."""
    if not may_chief_score(actor, sheet):
        raise ValidationError(_("只有街长（街道管理员）可以为驻街部门评分。"))
    points = _q(points)
    if points < 0 or points > 100:
        raise ValidationError({"points": _("街长评分应在 0 到 100 分之间。")})
    locked = Sheet.objects.select_for_update().get(pk=sheet.pk)
    _check_version(locked, version)
    if locked.status not in EDITABLE:
        raise ValidationError(_("评分已确认，不能再修改。"))
    row, created = ChiefScore.objects.update_or_create(
        sheet=locked, chief=actor, defaults={"points": points, "note": (note or "").strip()[:300]}
    )
    locked = total_write(locked)
    audit_record(
        actor=actor,
        action="create" if created else "update",
        obj=locked,
        changes={"chief_points": [None, str(points)]},
        area_path=locked.area_path,
    )
    return row


def files_check(uploads: list[Any]) -> list[CheckedFile]:
    """The attachments read and checked by their bytes, as a notice's are (PDF, .docx, .xlsx, JPEG, PNG)."""
    return check_attachments(uploads, field="files")


@transaction.atomic
def report_submit(
    *, actor: Any, sheet: Sheet, text: str, uploads: list[Any] | None = None, version: int | None = None, note: str = ""
) -> Sheet:
    """The secretary's 述职: the report's text and attachments, then the step."""
    text = (text or "").strip()
    if len(text) < 20:
        raise ValidationError({"text": _("述职报告至少 20 个字。")})
    if len(text) > REPORT_MAX:
        raise ValidationError({"text": _("述职报告不超过 %(n)s 个字。") % {"n": REPORT_MAX}})
    checked = files_check([u for u in uploads or [] if u])
    user = acting_user(actor)

    def attach(locked: Sheet, _from: str) -> None:
        for upload in checked:
            name = Path(upload.name).name[:150] or _("附件")
            ReportFile.objects.create(sheet=locked, file=upload.as_file(), name=name, uploaded_by=user)

    if actor is not None and not may_report(actor, sheet):
        raise ValidationError(_("只有本组织的书记或副书记可以提交述职。"))
    return take_step(
        FLOW,
        actor=actor,
        obj=sheet,
        step=Step.REPORT,
        version=version,
        note=note,
        fields={"report_text": text, "reported_at": timezone.now(), "reported_by": user},
        after=attach,
        audit={"files": [None, len(checked)]},
    )


@transaction.atomic
def report_return(*, actor: Any, sheet: Sheet, note: str, version: int | None = None) -> Sheet:
    return take_step(FLOW, actor=actor, obj=sheet, step=Step.RETURN, version=version, note=note)


@transaction.atomic
def sheet_confirm(*, actor: Any, sheet: Sheet, version: int | None = None, note: str = "") -> Sheet:
    """The district confirms the scores: every manual item scored and the panel (or, for a department, a
    street chief) has scored. A department's sheet is confirmed from 待述职: departments make no 述职."""

    def prepare(locked: Sheet, parties: set[str]) -> dict[str, Any]:
        if locked.org_id and locked.status == SheetStatus.DRAFT:
            # only a department's sheet (no 述职) is confirmed straight from 待述职
            raise ValidationError(_("书记尚未提交述职，不能确认评定。"))
        missing = list(
            Score.objects.filter(sheet=locked, points__isnull=True)
            .select_related("item")
            .values_list("item__name", flat=True)
        )
        if missing:
            raise ValidationError(_("还有项目未评分：%(items)s") % {"items": "、".join(missing)})
        return {}

    sheet = take_step(FLOW, actor=actor, obj=sheet, step=Step.CONFIRM, version=version, note=note, prepare=prepare)
    return total_write(sheet)
