"""The bracket table per district, editable in the admin (audited like every admin write)."""

from django.contrib import admin

from dangjian.core.admin import ScopedAdmin
from dangjian.core.scoping import scope_for
from dangjian.core.tree import STEP

from .models import Bracket, DuesRules


class BracketInline(admin.TabularInline):
    model = Bracket
    extra = 0


@admin.register(DuesRules)
class DuesRulesAdmin(ScopedAdmin):
    list_display = ("district", "effective_from", "note", "max_backpay_months")
    inlines = [BracketInline]

    def get_queryset(self, request):
        qs = admin.ModelAdmin.get_queryset(self, request).select_related("district")
        scope = scope_for(request.user)
        if scope.everything:
            return qs
        return qs.filter(district__path=scope.area_path[:STEP]) if scope.area_path else qs.none()

    def area_path(self, obj):
        return obj.district.path
