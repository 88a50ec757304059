"""Residents follow their building: a building saved into another grid (or community) carries its
residents' area_path with it, in the save's transaction (one UPDATE, nothing when it did not change)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from dangjian.territory.models import Building

from .models import Resident


@receiver(post_save, sender=Building, dispatch_uid="people.residents_follow_building")
def residents_follow_building(sender: Any, instance: Building, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if created or raw:
        return
    path = Resident.path_of(instance)
    Resident.objects.filter(household__building_id=instance.pk).exclude(area_path=path).update(area_path=path)
