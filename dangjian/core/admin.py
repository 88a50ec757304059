"""Django admin, scoped: a non-superuser sees and edits only what visible_to() gives them.

Admin writes are audited like service writes: each one is announced by `admin_write`, which the
audit app records (core imports no other app).
"""

from django.contrib import admin
from django.dispatch import Signal
from django.forms.models import model_to_dict

from .models import DailyFact, FactMark, Heartbeat, IdempotentRequest, Version

# Sent after the admin wrote a row: sender=the model, actor, obj, action ("create", "update" or
# "delete"), before and after (plain dicts of the row's values; empty for a delete), area_path.
admin_write = Signal()


def _plain(data: dict) -> dict:
    return {k: (v if isinstance(v, (str, int, float, bool, type(None))) else str(v)) for k, v in data.items()}


class ScopedAdmin(admin.ModelAdmin):
    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.visible_to(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Choices for a related object are limited to what the user may see, where the model is scoped.
        related = db_field.related_model
        if not request.user.is_superuser and hasattr(related._default_manager.get_queryset(), "visible_to"):
            kwargs["queryset"] = related._default_manager.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        before = _plain(model_to_dict(type(obj).objects.get(pk=obj.pk))) if change and obj.pk else {}
        super().save_model(request, obj, form, change)
        admin_write.send(
            sender=type(obj),
            actor=request.user,
            obj=obj,
            action="update" if change else "create",
            before=before,
            after=_plain(model_to_dict(obj)),
            area_path=self.area_path(obj),
        )

    def delete_model(self, request, obj):
        admin_write.send(
            sender=type(obj),
            actor=request.user,
            obj=obj,
            action="delete",
            before={},
            after={},
            area_path=self.area_path(obj),
        )
        super().delete_model(request, obj)

    def area_path(self, obj) -> str:
        return ""


class TreeAdmin(ScopedAdmin):
    """Tree nodes are created and moved through services (paths must stay consistent)."""

    readonly_fields = ("parent", "path", "depth")
    ordering = ("path",)

    def has_add_permission(self, request):
        return False

    def area_path(self, obj) -> str:
        return getattr(obj, "path", "")


class DistrictDefaultsAdmin(ScopedAdmin):
    """Lists that are data with defaults (rows without a district) and a district's own rows.

    The defaults serve every district: only a superuser changes them; a district's staff edit their own rows.
    """

    list_display = ("name", "district", "order", "is_active")
    list_filter = ("is_active",)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.district_id is None and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.district_id is None and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def area_path(self, obj):
        return obj.district.path if obj.district_id else ""


class ConfigAdmin(ScopedAdmin):
    """Deployment-wide settings (categories, calendars): superusers only, audited like any write."""

    def get_queryset(self, request):
        return admin.ModelAdmin.get_queryset(self, request)

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class SystemAdmin(admin.ModelAdmin):
    """Bookkeeping of the system itself: superusers only, read-only."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Heartbeat)
class HeartbeatAdmin(SystemAdmin):
    list_display = ("name", "at")


@admin.register(Version)
class VersionAdmin(SystemAdmin):
    list_display = ("name", "token")


@admin.register(DailyFact)
class DailyFactAdmin(SystemAdmin):
    """The figures store (core/figures/facts.py)."""

    list_display = ("subject", "day", "area_path", "dim", "c0")
    list_filter = ("subject",)
    search_fields = ("area_path", "dim")


@admin.register(FactMark)
class FactMarkAdmin(SystemAdmin):
    list_display = ("subject", "object_id", "day")
    list_filter = ("subject",)


@admin.register(IdempotentRequest)
class IdempotentRequestAdmin(SystemAdmin):
    """Writes sent with an idempotency key and the answers replayed to retries (core/idempotency.py)."""

    list_display = ("user", "key", "path", "status", "created_at")
    search_fields = ("key", "path")
