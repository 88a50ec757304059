from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from dangjian.core.admin import ScopedAdmin, SystemAdmin

from .models import LoginFailure, RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    fields = ("role", "area", "org", "department", "unit", "home_community", "is_active")
    raw_id_fields = ("area", "org", "department", "unit", "home_community")


@admin.register(User)
class UserAdmin(ScopedAdmin, DjangoUserAdmin):
    list_display = ("username", "full_name", "is_staff", "is_active")
    search_fields = ("username", "full_name")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("full_name", "mobile", "must_change_password")}),
        (_("权限"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
    )
    inlines = [RoleAssignmentInline]


@admin.register(LoginFailure)
class LoginFailureAdmin(SystemAdmin):
    list_display = ("identifier", "ip", "at")


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ScopedAdmin):
    list_display = ("user", "role", "area", "unit", "department", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("user__username", "user__full_name")
    list_select_related = ("user", "area", "unit", "department")
    raw_id_fields = ("user", "area", "org", "department", "unit", "home_community")
