"""Writes of the ladders: a district's table from a template of the seeds' schemes, a draft copied from
the table in force, a draft's pay and rule edited, and a draft put in force (the workers' posts follow
by code, their grades kept within the new ranges, each change in their history)."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.audit.services import Action, audit_record
from dangjian.territory.models import Area, Level

from ..ladder import TEMPLATES, LadderTable
from ..models import (
    EducationCredit,
    GradeReason,
    GradeRecord,
    Ladder,
    LadderGrade,
    LadderPost,
    LadderStatus,
    Subsidy,
    Worker,
)
from ..permissions import require_district_admin


@transaction.atomic
def ladder_from_template(
    *,
    actor: Any,
    district: Area,
    template: str,
    effective_from: datetime.date,
    status: str = LadderStatus.DRAFT,
    name: str = "",
) -> Ladder:
    """A district's own table, filled from one of TEMPLATES (三岗十八级, 3岗32级)."""
    if district.level != Level.DISTRICT:
        raise ValidationError(_("岗位等级薪酬方案按区设置。"))
    require_district_admin(actor, district.path)
    spec = TEMPLATES.get(template)
    if spec is None:
        raise ValidationError(_("没有这个方案模板。"))
    if status == LadderStatus.ACTIVE and Ladder.objects.filter(district=district, status=LadderStatus.ACTIVE).exists():
        raise ValidationError(_("本区已有执行中的方案，请先建草案再启用。"))
    ladder = Ladder.objects.create(
        district=district, name=name or spec.name, status=status, effective_from=effective_from,
        step_years=spec.step_years,
    )  # fmt: skip
    LadderPost.objects.bulk_create(
        LadderPost(ladder=ladder, code=code, name=pname, min_grade=lo, max_grade=hi, sort=i)
        for i, (code, pname, lo, hi) in enumerate(spec.posts)
    )
    LadderGrade.objects.bulk_create(
        LadderGrade(ladder=ladder, grade=g, monthly_pay=spec.first_pay + spec.pay_step * (g - 1))
        for g in range(1, spec.grades + 1)
    )
    EducationCredit.objects.bulk_create(
        EducationCredit(ladder=ladder, education=e, entry_grades=n, years_off=y) for e, n, y in spec.credits
    )
    Subsidy.objects.bulk_create(Subsidy(ladder=ladder, name=n, applies=a, monthly=m) for n, a, m in spec.subsidies)
    audit_record(actor=actor, action=Action.CREATE, obj=ladder, changes={"template": [None, spec.name]},
                 area_path=district.path)  # fmt: skip
    return ladder


@transaction.atomic
def ladder_copy_draft(*, actor: Any, ladder: Ladder, effective_from: datetime.date | None = None) -> Ladder:
    """A draft copy of a table (its posts, grades, credits and subsidies), to change and compare."""
    require_district_admin(actor, ladder.area_path)
    draft = Ladder.objects.create(
        district=ladder.district,
        name=_("%(n)s（草案）") % {"n": ladder.name},
        status=LadderStatus.DRAFT,
        effective_from=effective_from or datetime.date(ladder.effective_from.year + 1, 1, 1),
        step_years=ladder.step_years,
        based_on=ladder,
    )
    LadderPost.objects.bulk_create(
        LadderPost(ladder=draft, code=p.code, name=p.name, min_grade=p.min_grade, max_grade=p.max_grade, sort=p.sort)
        for p in ladder.posts.all()
    )
    LadderGrade.objects.bulk_create(
        LadderGrade(ladder=draft, grade=g.grade, monthly_pay=g.monthly_pay) for g in ladder.grades.all()
    )
    EducationCredit.objects.bulk_create(
        EducationCredit(ladder=draft, education=c.education, entry_grades=c.entry_grades, years_off=c.years_off)
        for c in ladder.credits.all()
    )
    Subsidy.objects.bulk_create(
        Subsidy(ladder=draft, name=s.name, applies=s.applies, monthly=s.monthly) for s in ladder.subsidies.all()
    )
    audit_record(actor=actor, action=Action.CREATE, obj=draft, changes={"based_on": [None, ladder.name]},
                 area_path=ladder.area_path)  # fmt: skip
    return draft


def _draft(ladder: Ladder) -> None:
    if ladder.status != LadderStatus.DRAFT:
        raise ValidationError(_("执行中或已停用的方案不能修改，请先复制为草案。"))


def _money(value: Any, what: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip()).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("%(w)s应为金额。") % {"w": what}) from None
    if amount < 0 or amount > Decimal("99999"):
        raise ValidationError(_("%(w)s应在 0 到 99999 元之间。") % {"w": what})
    return amount


@transaction.atomic
def draft_update(
    *,
    actor: Any,
    ladder: Ladder,
    pay: dict[int, Any],
    subsidies: dict[int, Any] | None = None,
    step_years: int | None = None,
) -> Ladder:
    """Change a draft's monthly pay per grade, its subsidies and its step-up years."""
    require_district_admin(actor, ladder.area_path)
    ladder = Ladder.objects.select_for_update().get(pk=ladder.pk)
    _draft(ladder)
    changes: dict[str, Any] = {}
    for grade in ladder.grades.all():
        if grade.grade in pay:
            amount = _money(pay[grade.grade], _("%(g)s级月薪") % {"g": grade.grade})
            if amount != grade.monthly_pay:
                changes[f"grade_{grade.grade}"] = [str(grade.monthly_pay), str(amount)]
                grade.monthly_pay = amount
                grade.save(update_fields=["monthly_pay"])
    for subsidy in ladder.subsidies.all():
        if subsidies and subsidy.pk in subsidies:
            amount = _money(subsidies[subsidy.pk], subsidy.name)
            if amount != subsidy.monthly:
                changes[f"subsidy_{subsidy.name}"] = [str(subsidy.monthly), str(amount)]
                subsidy.monthly = amount
                subsidy.save(update_fields=["monthly"])
    if step_years is not None and step_years != ladder.step_years:
        if not 1 <= step_years <= 10:
            raise ValidationError(_("晋升年限应在 1 到 10 年之间。"))
        changes["step_years"] = [ladder.step_years, step_years]
        ladder.step_years = step_years
        ladder.save(update_fields=["step_years"])
    if changes:
        audit_record(actor=actor, action=Action.UPDATE, obj=ladder, changes=changes, area_path=ladder.area_path)
    return ladder


@transaction.atomic
def ladder_activate(*, actor: Any, ladder: Ladder, on: datetime.date) -> Ladder:
    """Put a draft in force from `on`: the table in force is retired, each placed worker moves to the
    draft's post of the same code (grade kept, or brought inside the post's range), with a history row."""
    require_district_admin(actor, ladder.area_path)
    ladder = Ladder.objects.select_for_update().get(pk=ladder.pk)
    _draft(ladder)
    current = Ladder.objects.select_for_update().filter(district=ladder.district, status=LadderStatus.ACTIVE).first()
    table = LadderTable.load(ladder)
    if current is not None:
        current.status = LadderStatus.RETIRED
        current.save(update_fields=["status"])
        old_codes = dict(current.posts.values_list("pk", "code"))
        records = []
        for worker in Worker.objects.select_for_update().filter(post__ladder=current).order_by("pk"):
            code = old_codes[worker.post_id or 0]
            post = table.posts.get(code)
            if post is None:
                raise ValidationError(_("草案中没有岗位“%(c)s”，%(w)s等人无法转入。") % {"c": code, "w": worker.name})
            grade = table.clamp(post, worker.grade or post.min_grade)
            since = worker.grade_since if grade == worker.grade and worker.grade_since else on
            Worker.objects.filter(pk=worker.pk).update(post_id=post.pk, grade=grade, grade_since=since)
            records.append(
                GradeRecord(
                    worker=worker,
                    ladder=ladder,
                    post_id=post.pk,
                    grade=grade,
                    since=on,
                    reason=GradeReason.ADJUST,
                    note=_("启用新方案“%(n)s”") % {"n": ladder.name},
                )  # fmt: skip
            )
        GradeRecord.objects.bulk_create(records, batch_size=1000)
    ladder.status = LadderStatus.ACTIVE
    ladder.effective_from = on
    ladder.save(update_fields=["status", "effective_from"])
    audit_record(actor=actor, action=Action.UPDATE, obj=ladder, changes={"status": ["draft", "active"]},
                 area_path=ladder.area_path)  # fmt: skip
    return ladder
