"""Clients of the Open311 GeoReport v2 endpoint: each posts with its own API key."""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import NOTHING, Scope, ScopedManager, prefix_q
from dangjian.territory.models import Area


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiClient(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("名称"), max_length=100)
    district = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="api_clients", verbose_name=_("辖区"))
    key_prefix = models.CharField(max_length=8, db_index=True)  # shown in lists to tell keys apart
    key_hash = models.CharField(max_length=64, unique=True)  # the key itself is shown once, never stored
    is_active = models.BooleanField(_("启用"), default=True)
    # A staff grant (for the district's own systems) reads its district's cases in full: descriptions
    # unmasked, exact points, reports the resident kept private. Every such read is audited.
    staff_grant = models.BooleanField(_("完整读取"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("接口客户端")
        verbose_name_plural = _("接口客户端")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        # Only a whole district's admin manages its keys: a subdistrict's path lies below the
        # district's, so the prefix test on the district's path never matches for them.
        if scope.area_path and scope.area_level == "district":
            return prefix_q("district__path", scope.area_path)
        return NOTHING
