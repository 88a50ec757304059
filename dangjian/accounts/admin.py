from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.admin import ScopedAdmin, SystemAdmin
from dangjian.core.text import mask_mobile

from .models import LoginFailure, PhoneCode, RoleAssignment, User
from .permissions import can_manage_account, manageable_users

# Fields that hand out the admin site itself: superusers only.
SUPERUSER_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")


def _check_still_manageable(request, user) -> None:
    # After a save (inside the admin's transaction): a role the editor may not give rolls it all back.
    if not request.user.is_superuser and not can_manage_account(request.user, user):
        raise PermissionDenied(_("不能授予不低于您本人、或在您辖区之外的角色。"))


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
        (gettext_lazy("个人信息"), {"fields": ("full_name", "mobile", "must_change_password")}),
        (gettext_lazy("权限"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
    )
    inlines = [RoleAssignmentInline]

    # Non-superusers act only on the accounts they may manage (accounts.permissions), like on the pages.
    def get_queryset(self, request):
        qs = admin.ModelAdmin.get_queryset(self, request)
        return qs if request.user.is_superuser else qs.filter(pk__in=manageable_users(request.user).values("pk"))

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return fields if request.user.is_superuser else (*fields, *SUPERUSER_FIELDS)

    def has_add_permission(self, request):
        return request.user.is_superuser and super().has_add_permission(request)

    def user_change_password(self, request, id, form_url=""):
        # A password an administrator picks would let them sign in as the person: non-superusers use
        # 账号 → 重置密码, whose temporary password must be changed at first sign-in and expires.
        if not request.user.is_superuser:
            raise PermissionDenied(_("请在“账号”页面重置密码。"))
        return super().user_change_password(request, id, form_url)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        _check_still_manageable(request, form.instance)


@admin.register(LoginFailure)
class LoginFailureAdmin(SystemAdmin):
    list_display = ("identifier", "ip", "at")


@admin.register(PhoneCode)
class PhoneCodeAdmin(SystemAdmin):
    list_display = ("masked_mobile", "purpose", "created_at", "tries", "verified_at", "redeemed_at")
    list_filter = ("purpose",)
    exclude = ("code_hash",)

    @admin.display(description=gettext_lazy("手机号"))
    def masked_mobile(self, code: PhoneCode) -> str:
        return mask_mobile(code.mobile)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ScopedAdmin):
    list_display = ("user", "role", "area", "unit", "department", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("user__username", "user__full_name")
    list_select_related = ("user", "area", "unit", "department")
    raw_id_fields = ("user", "area", "org", "department", "unit", "home_community")

    def get_queryset(self, request):
        qs = admin.ModelAdmin.get_queryset(self, request)
        return qs if request.user.is_superuser else qs.filter(user__in=manageable_users(request.user).values("pk"))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "user" and not request.user.is_superuser:
            field.queryset = manageable_users(request.user)
        return field

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _check_still_manageable(request, obj.user)
