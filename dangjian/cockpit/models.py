"""Targets as data: what a district sets for a figure of the cockpit (e.g. 40 % Party representatives,
100 % formation), standing or for one year; the tile shows its value against it."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .catalogue import FIGURES


class Target(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    district = models.ForeignKey(
        "territory.Area",
        on_delete=models.CASCADE,
        related_name="cockpit_targets",
        limit_choices_to={"level": "district"},
        verbose_name=_("区"),
    )
    figure = models.CharField(_("指标"), max_length=40, choices=[(f.key, f.label) for f in FIGURES])
    value = models.DecimalField(_("目标值"), max_digits=14, decimal_places=2)
    # None: the standing target; a year: that year's (it wins over the standing one).
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("驾驶舱目标值")
        verbose_name_plural = _("驾驶舱目标值")
        ordering = ["district", "figure", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "figure", "year"], condition=Q(year__isnull=False), name="cockpit_target_year_once"
            ),
            models.UniqueConstraint(
                fields=["district", "figure"], condition=Q(year__isnull=True), name="cockpit_target_standing_once"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="cockpit_target_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_figure_display()} {self.value}"
