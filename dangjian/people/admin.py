from django.contrib import admin

from dangjian.core.admin import ScopedAdmin

from .models import Household, Liaison, Member, MemberStatusChange, MemberTransfer, Resident


@admin.register(Member)
class MemberAdmin(ScopedAdmin):
    list_display = ("name", "category", "status", "org", "home_community")
    list_filter = ("category", "status")
    search_fields = ("name", "pinyin")
    list_select_related = ("org", "home_community")
    raw_id_fields = (
        "org",
        "workplace",
        "home_community",
        "home_estate",
        "home_building",
        "user",
        "pending_user",
        "pending_by",
    )
    # Personal data is not shown in the admin; the member pages reveal it with an audit row.
    exclude = ("id_number", "mobile")

    def get_readonly_fields(self, request, obj=None):
        # Linking an account needs its holder's consent (the 关联账号 pages): not set here by others.
        fields = super().get_readonly_fields(request, obj)
        return fields if request.user.is_superuser else (*fields, "user", "pending_user", "pending_by", "pending_at")

    def area_path(self, obj):
        return obj.home_community.path if obj.home_community_id else (obj.org.area.path if obj.org_id else "")


@admin.register(MemberTransfer)
class MemberTransferAdmin(ScopedAdmin):
    list_display = ("member", "from_org", "to_org", "at")
    list_select_related = ("member", "from_org", "to_org")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MemberStatusChange)
class MemberStatusChangeAdmin(ScopedAdmin):
    list_display = ("member", "from_status", "to_status", "note", "at")
    list_filter = ("to_status",)
    list_select_related = ("member",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Household)
class HouseholdAdmin(ScopedAdmin):
    list_display = ("building", "room")
    raw_id_fields = ("building",)

    def area_path(self, obj):
        return obj.building.community.path


@admin.register(Resident)
class ResidentAdmin(ScopedAdmin):
    list_display = ("name", "household")
    raw_id_fields = ("household",)
    exclude = ("mobile",)

    def area_path(self, obj):
        return obj.household.building.community.path


@admin.register(Liaison)
class LiaisonAdmin(ScopedAdmin):
    list_display = ("leader_name", "post", "level", "area", "estate", "is_active", "ended_on")
    list_filter = ("level", "is_active")
    raw_id_fields = ("user", "area", "estate")
