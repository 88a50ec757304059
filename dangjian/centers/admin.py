from django.contrib import admin

from dangjian.core.admin import DistrictDefaultsAdmin, ScopedAdmin, SystemAdmin

from .models import (
    Activity,
    Booking,
    BookingLog,
    BookingSlot,
    CenterLevelOption,
    CenterStandard,
    CircleSettings,
    ClosedDay,
    OpeningHours,
    Room,
    ServiceCenter,
    SignUp,
)


class ReferenceAdmin(ScopedAdmin):
    """Reference data every manager may read (standards, circle parameters, opening hours); audited."""

    def get_queryset(self, request):
        return admin.ModelAdmin.get_queryset(self, request)


@admin.register(ServiceCenter)
class ServiceCenterAdmin(ScopedAdmin):
    list_display = ("name", "level", "area", "floor_area", "is_active")
    list_filter = ("level", "is_active")
    search_fields = ("name", "pinyin", "address")
    list_select_related = ("area",)

    def area_path(self, obj) -> str:
        return obj.area.path


@admin.register(Room)
class RoomAdmin(ScopedAdmin):
    list_display = ("name", "center", "capacity", "requires_approval", "is_active")
    list_select_related = ("center",)


@admin.register(Booking)
class BookingAdmin(ScopedAdmin):
    list_display = ("room", "start", "end", "status", "booker_kind")
    list_filter = ("status",)
    list_select_related = ("room__center",)


@admin.register(Activity)
class ActivityAdmin(ScopedAdmin):
    list_display = ("title", "kind", "center", "start", "capacity", "status")
    list_filter = ("kind", "status")
    list_select_related = ("center",)


@admin.register(SignUp)
class SignUpAdmin(ScopedAdmin):
    list_display = ("activity", "user", "status", "created_at")
    list_filter = ("status",)
    list_select_related = ("activity", "user")


@admin.register(CenterStandard)
class CenterStandardAdmin(ReferenceAdmin):
    list_display = ("level", "min_area")


@admin.register(CircleSettings)
class CircleSettingsAdmin(ReferenceAdmin):
    list_display = ("district", "minutes", "detour_factor", "walk_speed", "persons_per_household")


@admin.register(OpeningHours)
class OpeningHoursAdmin(ReferenceAdmin):
    list_display = ("center", "weekday", "opens", "closes")


@admin.register(ClosedDay)
class ClosedDayAdmin(ReferenceAdmin):
    list_display = ("center", "date", "reason")


@admin.register(BookingSlot)
class BookingSlotAdmin(SystemAdmin):
    list_display = ("room", "slot_start", "booking")


@admin.register(BookingLog)
class BookingLogAdmin(SystemAdmin):
    list_display = ("booking", "from_status", "to_status", "actor", "at")


@admin.register(CenterLevelOption)
class CenterLevelOptionAdmin(DistrictDefaultsAdmin):
    list_display = ("name", "code", "district", "order", "is_active")
