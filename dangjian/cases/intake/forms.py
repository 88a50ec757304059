"""Forms of case intake: the resident's phone form, the grid worker's patrol report, the hotline and
walk-in desk form, and public tracking. They collect and tidy input; case_submit does the checking
that matters (photos by their bytes, placement, the category's questions)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.core.photos import PhotosField
from dangjian.core.validators import validate_mobile
from dangjian.territory.models import Area, Level

from ..models import CaseCategory, Channel
from .services import MAX_PHOTOS, case_submit


def category_choices() -> list[tuple[str, Any]]:
    """Active categories grouped as the resident thinks of them (环境卫生, 市政设施, ...)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for cat in CaseCategory.objects.filter(is_active=True).order_by("sort", "code"):
        groups.setdefault(cat.group or str(_("其他")), []).append((cat.code, cat.name))
    return [("", _("请选择类别")), *groups.items()]


class PointMixin(forms.Form):
    """The pin on the map: two hidden fields the map script fills."""

    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)

    def has_point(self) -> bool:
        return self.cleaned_data.get("lat") is not None and self.cleaned_data.get("lng") is not None


class CaseFormBase(PointMixin):
    category = forms.ChoiceField(label=_("问题类别"), choices=())
    description = forms.CharField(
        label=_("问题描述"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("发生了什么、在哪里、持续多久")}),
    )
    address = forms.CharField(
        label=_("地址或位置说明"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("如：中珠新村 3 栋楼下")}),
    )
    photos = PhotosField(label=_("现场照片（最多 6 张）"), max_count=MAX_PHOTOS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()

    def clean_category(self) -> CaseCategory:
        category = CaseCategory.objects.filter(code=self.cleaned_data["category"], is_active=True).first()
        if category is None:
            raise forms.ValidationError(_("请选择有效的事件类别。"))
        return category


def _clean_phone(value: str) -> str:
    value = re.sub(r"[\s-]", "", value or "")
    if value.startswith("1") or value.startswith("+86"):
        return validate_mobile(value)
    if not re.fullmatch(r"0\d{9,11}|\d{7,8}", value):
        raise forms.ValidationError(_("请填写 11 位手机号或带区号的固定电话。"))
    return value


class ReportForm(CaseFormBase):
    """居民手机反映: a pin on the map, or else the resident's own community (with an address if they like)."""

    reporter_phone = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        help_text=_("用于回访和凭编号查询进度，不会公开。"),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    # Unchecked by default: a report is public (masked) unless the resident keeps it private.
    not_public = forms.BooleanField(
        label=_("不公开这条反映"),
        required=False,
        help_text=_("公开查询接口默认展示反映内容（电话、身份证号等已隐去）；勾选后只有社区和办理部门能看到。"),
    )

    field_order = ["category", "description", "lat", "lng", "address", "photos", "reporter_phone", "not_public"]

    def __init__(self, *args: Any, home: Area | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.home = home

    def clean_reporter_phone(self) -> str:
        return _clean_phone(self.cleaned_data["reporter_phone"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        # Without a pin the report is filed in the resident's own community (as the form says), for
        # the community to place; only a resident with no community must say where.
        if not self.has_point() and self.home is None:
            self.add_error("address", _("请在地图上标出问题所在位置。"))
        return data

    def submit(self, *, actor: Any) -> Any:
        """File the valid report as `actor` (the phone page and the API both call this)."""
        data, point = self.cleaned_data, self.has_point()
        return case_submit(
            actor=actor,
            channel=Channel.PHONE,
            category=data["category"],
            description=data["description"],
            lat=data["lat"] if point else None,
            lng=data["lng"] if point else None,
            area=None if point else self.home,
            address=data["address"],
            reporter_phone=data["reporter_phone"],
            photos=data["photos"],
            is_public=not data["not_public"],
        )


class PatrolForm(CaseFormBase):
    """网格员巡查上报: the device's location is the pin; without it the report lands in the worker's grid."""

    field_order = ["category", "description", "lat", "lng", "address", "photos"]


class DeskForm(CaseFormBase):
    """热线 / 民意接待厅: the operator types what the caller says and chooses where by hand or by pin."""

    channel = forms.ChoiceField(
        label=_("来源"),
        choices=[(Channel.HOTLINE, Channel.HOTLINE.label), (Channel.WALK_IN, Channel.WALK_IN.label)],
        initial=Channel.HOTLINE,
        widget=forms.RadioSelect,
    )
    reporter_name = forms.CharField(label=_("反映人姓名"), max_length=50)
    reporter_phone = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off", "inputmode": "tel"}),
    )
    community = forms.ChoiceField(label=_("所属社区"), required=False)
    grid = forms.ChoiceField(label=_("所属网格（选填）"), required=False)

    field_order = [
        "channel",
        "reporter_name",
        "reporter_phone",
        "category",
        "description",
        "address",
        "community",
        "grid",
        "lat",
        "lng",
        "photos",
    ]

    def __init__(self, *args: Any, areas: list[Area] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.areas = {str(a.public_id): a for a in areas}
        communities = [a for a in areas if a.level == Level.COMMUNITY]
        by_path = {a.path: a for a in communities}
        grouped: dict[str, list[tuple[str, str]]] = {}
        for grid in (a for a in areas if a.level == Level.GRID):
            parent = by_path.get(grid.path[:-4])
            grouped.setdefault(parent.name if parent else "", []).append((str(grid.public_id), grid.name))
        self.fields["community"].choices = [
            ("", _("请选择社区")),
            *[(str(c.public_id), c.name) for c in communities],
        ]
        self.fields["grid"].choices = [("", _("不指定网格")), *grouped.items()]

    def clean_reporter_phone(self) -> str:
        return _clean_phone(self.cleaned_data["reporter_phone"])

    def clean_community(self) -> Area | None:
        return self.areas.get(self.cleaned_data.get("community") or "")

    def clean_grid(self) -> Area | None:
        return self.areas.get(self.cleaned_data.get("grid") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        community, grid = data.get("community"), data.get("grid")
        if grid is not None and community is not None and not grid.path.startswith(community.path):
            self.add_error("grid", _("所选网格不在所选社区内。"))
        if grid is None and community is None and not self.has_point():
            self.add_error("community", _("请选择所属社区，或在地图上标出位置。"))
        return data


class TrackForm(forms.Form):
    """凭编号查询: the case number and the last four digits of the phone left with it."""

    number = forms.CharField(
        label=_("事件编号"),
        max_length=24,
        widget=forms.TextInput(attrs={"placeholder": "XZ-20260101-0001", "autocapitalize": "characters"}),
    )
    phone_tail = forms.CharField(
        label=_("联系电话后 4 位"),
        min_length=4,
        max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]{4}"}),
    )

    def clean_number(self) -> str:
        return re.sub(r"\s+", "", self.cleaned_data["number"]).upper()

    def clean_phone_tail(self) -> str:
        value = self.cleaned_data["phone_tail"].strip()
        if not re.fullmatch(r"\d{4}", value):
            raise forms.ValidationError(_("请填写 4 位数字。"))
        return value
