from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from dangjian.core.admin import ScopedAdmin, TreeAdmin

from . import services
from .boundaries import validate_boundary
from .models import Area, Building, Estate


class AreaAdminForm(forms.ModelForm):
    class Meta:
        model = Area
        fields = ("name", "code", "boundary")

    def clean(self):
        cleaned = super().clean()
        area = self.instance
        if "code" in self.changed_data:
            try:
                services.validate_code(level=area.level, code=cleaned.get("code") or "", parent=area.parent)
            except ValidationError as exc:
                self.add_error("code", exc.message_dict["code"])
        if "boundary" in self.changed_data and cleaned.get("boundary") is not None:
            # The same checks as every other write of a boundary (inside its containers, no grid overlaps).
            try:
                validate_boundary(area=area, parent=area.parent, boundary=cleaned["boundary"])
            except ValidationError as exc:
                self.add_error("boundary", exc.message_dict["boundary"])
        return cleaned


@admin.register(Area)
class AreaAdmin(TreeAdmin):
    list_display = ("name", "level", "code", "path")
    list_filter = ("level",)
    search_fields = ("name", "pinyin", "code")
    form = AreaAdminForm
    readonly_fields = (*TreeAdmin.readonly_fields, "level")

    def save_model(self, request, obj, form, change):
        # Through the service: it validates again under the district lock, keeps the bounding box
        # and the grid index in step, and writes the audit row.
        boundary = obj.boundary if "boundary" in form.changed_data else ...
        services.area_update(actor=request.user, area=obj, name=obj.name, code=obj.code, boundary=boundary)


@admin.register(Estate)
class EstateAdmin(ScopedAdmin):
    list_display = ("name", "community", "households")
    search_fields = ("name", "pinyin")
    list_select_related = ("community",)
    autocomplete_fields = ()

    def area_path(self, obj):
        return obj.community.path


@admin.register(Building)
class BuildingAdmin(ScopedAdmin):
    list_display = ("name", "estate", "community", "grid", "kind")
    list_filter = ("kind",)
    search_fields = ("name",)
    list_select_related = ("estate", "community", "grid")

    def area_path(self, obj):
        return obj.community.path
