from django.contrib import admin

from dangjian.core.admin import DistrictDefaultsAdmin

from .models import NeedCategory


@admin.register(NeedCategory)
class NeedCategoryAdmin(DistrictDefaultsAdmin):
    filter_horizontal = ("skills",)
