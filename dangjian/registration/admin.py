from django.contrib import admin

from dangjian.core.admin import DistrictDefaultsAdmin, ScopedAdmin, SystemAdmin

from .models import (
    CommunityDocument,
    PublicFormAttempt,
    Registration,
    RegistrationLink,
    RegistrationLog,
    ServiceIntention,
)


@admin.register(Registration)
class RegistrationAdmin(ScopedAdmin):
    """Read-only here: registrations move through the confirm/reject workflow."""

    list_display = ("kind", "member", "org", "community", "status", "submitted_at")
    list_filter = ("kind", "status")
    list_select_related = ("member", "org", "community")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CommunityDocument)
class CommunityDocumentAdmin(ScopedAdmin):
    list_display = ("title", "community", "published_on")
    raw_id_fields = ("community",)

    def area_path(self, obj):
        return obj.community.path


@admin.register(RegistrationLog)
class RegistrationLogAdmin(ScopedAdmin):
    list_display = ("registration", "from_status", "to_status", "actor", "at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RegistrationLink)
class RegistrationLinkAdmin(ScopedAdmin):
    """Links are generated and regenerated from the community's page (audited there)."""

    list_display = ("community", "generated_at", "generated_by")
    exclude = ("token",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ServiceIntention)
class ServiceIntentionAdmin(DistrictDefaultsAdmin):
    pass


@admin.register(PublicFormAttempt)
class PublicFormAttemptAdmin(SystemAdmin):
    list_display = ("ip", "at", "matched")
