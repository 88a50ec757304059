from django.contrib import admin

from dangjian.core.admin import ScopedAdmin, TreeAdmin

from .models import OrgOfficer, PartyOrg, RectificationStep, WeakCaseLog, WeakCaseNote, WeakOrgCase, WeakReason


@admin.register(PartyOrg)
class PartyOrgAdmin(TreeAdmin):
    list_display = ("name", "org_type", "area", "path")
    list_filter = ("org_type",)
    search_fields = ("name", "pinyin")
    list_select_related = ("area",)

    def area_path(self, obj):
        return obj.area.path


@admin.register(OrgOfficer)
class OrgOfficerAdmin(ScopedAdmin):
    list_display = ("org", "post", "name", "user", "started_on", "ended_on")
    list_filter = ("post",)
    search_fields = ("name", "org__name")
    raw_id_fields = ("org", "user")
    list_select_related = ("org", "user")


# --- 软弱涣散基层党组织 ------------------------------------------------------------------------


@admin.register(WeakReason)
class WeakReasonAdmin(ScopedAdmin):
    """The reasons offered when flagging: editable reference data (changes are audited)."""

    list_display = ("label", "aspect", "sort_order", "is_active")
    list_filter = ("aspect", "is_active")
    list_editable = ("sort_order", "is_active")
    search_fields = ("label", "code")

    def has_delete_permission(self, request, obj=None):
        # Retire a reason (is_active) instead: past cases still name it.
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class StepInline(ReadOnlyInline):
    model = RectificationStep
    fields = ("title", "deadline", "responsible", "done_at", "done_note")


class LogInline(ReadOnlyInline):
    model = WeakCaseLog
    fields = ("at", "actor", "from_status", "to_status", "note")


class NoteInline(ReadOnlyInline):
    model = WeakCaseNote
    fields = ("at", "author", "text")


@admin.register(WeakOrgCase)
class WeakOrgCaseAdmin(ScopedAdmin):
    """Read-only here: cases change only through the workflow (orgs.weak), which logs every step."""

    list_display = ("org", "status", "flagged_at", "delisted_at", "delisted_by")
    list_filter = ("status",)
    search_fields = ("org__name", "org__pinyin")
    list_select_related = ("org", "delisted_by")
    inlines = (StepInline, LogInline, NoteInline)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def area_path(self, obj):
        return obj.org.area.path


class ReadOnlyScopedAdmin(ScopedAdmin):
    """The parts of a case: written only through orgs.weak.services, read here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def area_path(self, obj):
        return obj.case.org.area.path


@admin.register(RectificationStep)
class RectificationStepAdmin(ReadOnlyScopedAdmin):
    list_display = ("title", "case", "deadline", "responsible", "done_at")
    list_select_related = ("case__org", "responsible")
    search_fields = ("title", "case__org__name")


@admin.register(WeakCaseLog)
class WeakCaseLogAdmin(ReadOnlyScopedAdmin):
    list_display = ("case", "at", "actor", "from_status", "to_status", "note")
    list_select_related = ("case__org", "actor")


@admin.register(WeakCaseNote)
class WeakCaseNoteAdmin(ReadOnlyScopedAdmin):
    list_display = ("case", "at", "author", "text")
    list_select_related = ("case__org", "author")
