"""The editable rules of funds: a district's fund kinds and floors, and the yearly floor bases. The
ledger itself is not editable here (it only grows, through the services)."""

from django.contrib import admin

from dangjian.core.admin import ScopedAdmin
from dangjian.core.scoping import scope_for
from dangjian.core.tree import STEP

from .models import FloorBasis, FundKind


@admin.register(FundKind)
class FundKindAdmin(ScopedAdmin):
    list_display = ("name", "code", "district", "level", "rule", "fixed_amount", "per_unit_min", "active")
    list_filter = ("rule", "level", "active")
    readonly_fields = ("code",)

    def get_queryset(self, request):
        qs = admin.ModelAdmin.get_queryset(self, request).select_related("district")
        scope = scope_for(request.user)
        if scope.everything:
            return qs
        return qs.filter(district__path=scope.area_path[:STEP]) if scope.area_path else qs.none()

    def area_path(self, obj):
        return obj.district.path


@admin.register(FloorBasis)
class FloorBasisAdmin(ScopedAdmin):
    list_display = ("area", "year", "households", "members", "updated_at")
    list_filter = ("year",)

    def area_path(self, obj):
        return obj.area.path
