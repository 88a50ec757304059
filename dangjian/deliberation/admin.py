"""The editable lists and rules of deliberation: a district's matter kinds (which must go through
四议两公开), its rules, and the quorum and majority of each stage. Audited like every admin write."""

from django.contrib import admin

from dangjian.core.admin import ScopedAdmin
from dangjian.core.scoping import scope_for
from dangjian.core.tree import STEP

from .models import DistrictRules, MatterKind, StageRule


class DistrictRowsAdmin(ScopedAdmin):
    """Rows of a district: a user sees and edits those of the district their scope lies in."""

    def get_queryset(self, request):
        qs = admin.ModelAdmin.get_queryset(self, request).select_related("district")
        scope = scope_for(request.user)
        if scope.everything:
            return qs
        return qs.filter(district__path=scope.area_path[:STEP]) if scope.area_path else qs.none()

    def area_path(self, obj):
        return obj.district.path


@admin.register(MatterKind)
class MatterKindAdmin(DistrictRowsAdmin):
    list_display = ("name", "district", "must_go_through", "active")
    list_filter = ("must_go_through", "active")


@admin.register(DistrictRules)
class DistrictRulesAdmin(DistrictRowsAdmin):
    list_display = ("district", "party_share_target", "merge_allowed", "notice_days", "resolution_disclosure_days")


@admin.register(StageRule)
class StageRuleAdmin(DistrictRowsAdmin):
    list_display = ("district", "stage", "quorum_num", "quorum_den", "quorum_strict", "majority_num", "majority_den")
