"""A district's 民生微实事 rules (caps per kind, acceptance and review rules), edited in the admin,
scoped to the district the user's scope lies in, audited like every admin write."""

from django.contrib import admin

from dangjian.core.admin import ScopedAdmin
from dangjian.core.scoping import scope_for
from dangjian.core.tree import STEP

from .models import DistrictRules


@admin.register(DistrictRules)
class DistrictRulesAdmin(ScopedAdmin):
    list_display = ("district", "works_cap", "services_cap", "goods_cap", "min_votes", "min_photos", "publicity_days")

    def get_queryset(self, request):
        qs = admin.ModelAdmin.get_queryset(self, request).select_related("district")
        scope = scope_for(request.user)
        if scope.everything:
            return qs
        if scope.area_path:
            return qs.filter(district__path=scope.area_path[:STEP])
        return qs.none()

    def area_path(self, obj):
        return obj.district.path
