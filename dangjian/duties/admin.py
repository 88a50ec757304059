from django.contrib import admin

from .models import DutyKind


@admin.register(DutyKind)
class DutyKindAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "community_may_be_responsible", "sort")
    list_editable = ("community_may_be_responsible", "sort")
