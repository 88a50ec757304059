from django.contrib import admin

from dangjian.core.admin import SystemAdmin

from .models import ImportJob, ImportJobTransition, ImportUpload


class TransitionInline(admin.TabularInline):
    model = ImportJobTransition
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "at", "actor", "note")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ImportJob)
class ImportJobAdmin(SystemAdmin):
    """Read-only, superusers only: jobs are worked through the import pages by their uploader."""

    list_display = (
        "created_at",
        "kind",
        "filename",
        "created_by",
        "status",
        "total_rows",
        "error_count",
        "imported_count",
    )
    list_filter = ("kind", "status")
    search_fields = ("filename",)
    list_select_related = ("created_by",)
    exclude = ("errors", "preview")
    inlines = [TransitionInline]


@admin.register(ImportJobTransition)
class ImportJobTransitionAdmin(SystemAdmin):
    list_display = ("at", "job", "from_status", "to_status", "actor")
    list_select_related = ("job", "actor")


@admin.register(ImportUpload)
class ImportUploadAdmin(SystemAdmin):
    """The uploaded bytes are not shown; only that they are still kept."""

    list_display = ("job",)
    exclude = ("content",)
