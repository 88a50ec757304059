"""Classified points (党员分类积分管理): categories, rules per district and year, an append-only ledger.

Rules are data with defaults: rows without a district are every district's defaults; a district's own
row for a (year, code) overrides the default. The ledger (PointEntry) is never edited: a correction is a
reversing entry. PointTotal is a running sum per member, year and category (and across categories) kept
by the same transaction that writes an entry, so that rankings read one indexed row per member.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import NOTHING, Scope, ScopedManager
from dangjian.core.tree import STEP
from dangjian.people.models import Member
from dangjian.territory.models import Area


class PointCategory(models.Model):
    """学习、服务、先锋、奉献 (seeded)."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=20)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("积分类别")
        verbose_name_plural = _("积分类别")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class PointRule(models.Model):
    """How many points one unit of an action earns in a district and year (no district: the default)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="point_rules",
        verbose_name=_("区"),
        limit_choices_to={"level": "district"},
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    code = models.SlugField(_("代码"), max_length=40)
    category = models.ForeignKey(PointCategory, on_delete=models.PROTECT, related_name="rules", verbose_name=_("类别"))
    name = models.CharField(_("名称"), max_length=60)
    points = models.DecimalField(_("分值"), max_digits=7, decimal_places=2)
    per = models.CharField(_("计分单位"), max_length=30, help_text=_("例如：每次、每小时"))
    is_active = models.BooleanField(_("启用"), default=True)
    # Rules fed by events (registration, demands, volunteering) are not for hand awards.
    manual = models.BooleanField(_("可人工记分"), default=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")
        ordering = ["year", "category__order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["district", "year", "code"], name="points_rule_district_year_code"),
            # NULL districts are distinct in a plain unique constraint: the defaults need their own.
            models.UniqueConstraint(
                fields=["year", "code"], condition=Q(district__isnull=True), name="points_rule_default_year_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.year}）"

    @property
    def is_default(self) -> bool:
        return self.district_id is None

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if not scope.area_path:
            return NOTHING
        return Q(district__isnull=True) | Q(district__path=scope.area_path[:STEP])


class PointEntry(models.Model):
    """One line of a member's points: an award (positive or negative) or the reversal of one. Append-only."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="point_entries", verbose_name=_("党员"))
    rule = models.ForeignKey(PointRule, on_delete=models.PROTECT, related_name="entries", verbose_name=_("规则"))
    category = models.ForeignKey(
        PointCategory, on_delete=models.PROTECT, related_name="entries", verbose_name=_("类别")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    quantity = models.DecimalField(_("数量"), max_digits=7, decimal_places=2, default=Decimal(1))
    points = models.DecimalField(_("积分"), max_digits=9, decimal_places=2)
    # What earned it, e.g. "registration:<uuid>", "demand:<uuid>", "manual:<uuid>", "reversal:<uuid>".
    event_key = models.CharField(_("事件"), max_length=120)
    occurred_at = models.DateTimeField(_("发生时间"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    reverses = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
        verbose_name=_("冲正的记录"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("经办人"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("积分记录")
        verbose_name_plural = _("积分记录")
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            # One award per event: a retried or raced event hits this and writes nothing more.
            models.UniqueConstraint(fields=["member", "rule", "event_key"], name="points_entry_once_per_event"),
        ]
        indexes = [models.Index(fields=["member", "year"], name="points_entry_member_year")]

    def __str__(self) -> str:
        return f"{self.member}: {self.points}"

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        if scope.user_id:
            return Q(member__user_id=scope.user_id)
        return Q(member__in=Member.objects.filter(Member.scope_q(scope)).values("pk"))


class PointTotal(models.Model):
    """A member's running sum for a year, per category and (category NULL) across all categories."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="point_totals")
    year = models.PositiveSmallIntegerField()
    category = models.ForeignKey(PointCategory, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    points = models.DecimalField(max_digits=11, decimal_places=2, default=Decimal(0))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "year", "category"],
                condition=Q(category__isnull=False),
                name="points_total_member_year_category",
            ),
            models.UniqueConstraint(
                fields=["member", "year"], condition=Q(category__isnull=True), name="points_total_member_year_all"
            ),
        ]
        indexes = [models.Index(fields=["year", "category", "-points"], name="points_total_ranking")]

    def __str__(self) -> str:
        return f"{self.member_id}/{self.year}/{self.category_id}: {self.points}"


__all__ = ["PointCategory", "PointEntry", "PointRule", "PointTotal"]
