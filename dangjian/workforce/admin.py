"""The ladders are data per district: a district edits its posts, grades, pay, credits and subsidies here
(the pages offer the draft's pay and subsidies; the admin everything)."""

from django.contrib import admin

from dangjian.core.admin import ScopedAdmin

from .models import EducationCredit, Ladder, LadderGrade, LadderPost, Subsidy


class PostInline(admin.TabularInline):
    model = LadderPost
    extra = 0


class GradeInline(admin.TabularInline):
    model = LadderGrade
    extra = 0


class CreditInline(admin.TabularInline):
    model = EducationCredit
    extra = 0


class SubsidyInline(admin.TabularInline):
    model = Subsidy
    extra = 0


@admin.register(Ladder)
class LadderAdmin(ScopedAdmin):
    list_display = ("name", "district", "status", "effective_from", "step_years")
    list_filter = ("status",)
    inlines = [PostInline, GradeInline, CreditInline, SubsidyInline]

    def area_path(self, obj):
        return obj.district.path
