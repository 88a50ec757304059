from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.core.validators import MONTH_DAYS, YEAR_DAYS, date_within
from dangjian.core.widgets import DateInput

from .models import ActivityKind, CenterLevelOption, CircleSettings, FunctionArea, Norm, Room
from .services.bookings import SLOT_MINUTES
from .services.centres import WEEKDAYS, clean_photo_urls


def half_hours(first: int = 7, last: int = 22) -> list[tuple[str, str]]:
    times = []
    for h in range(first, last + 1):
        for m in range(0, 60, SLOT_MINUTES):
            if h == last and m:
                break
            times.append(f"{h:02d}:{m:02d}")
    return [(t, t) for t in times]


class CenterForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    level = forms.ChoiceField(label=_("层级"))
    area = forms.ChoiceField(label=_("所属属地"))
    org = forms.ChoiceField(label=_("运营党组织"), required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    lat = forms.FloatField(label=_("纬度"), min_value=-90, max_value=90)
    lng = forms.FloatField(label=_("经度"), min_value=-180, max_value=180)
    floor_area = forms.IntegerField(label=_("面积（平方米）"), min_value=0)
    functions = forms.MultipleChoiceField(
        label=_("功能区"), choices=FunctionArea.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    norms = forms.MultipleChoiceField(
        label=_("已达到的规范（四个规范）"), choices=Norm.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    photo_urls = forms.CharField(
        label=_("照片链接（每行一个）"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    description = forms.CharField(label=_("简介"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    is_active = forms.BooleanField(label=_("开放中"), required=False, initial=True)

    def __init__(self, *args, areas=(), orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [(str(a.public_id), f"{a.get_level_display()} · {a.name}") for a in areas]
        # The district's centre levels (CenterLevelOption: the defaults and its own, e.g. 市级).
        path = next((a.path for a in areas), None)
        self.fields["level"].choices = list(CenterLevelOption.for_district_path(path).values_list("code", "name"))
        self.fields["org"].choices = [("", "—")] + [(str(o.public_id), o.name) for o in orgs]

    def clean_photo_urls(self) -> list[str]:
        return clean_photo_urls(self.cleaned_data["photo_urls"].splitlines())


class HoursForm(forms.Form):
    """One line per weekday, e.g. 09:00-12:00, 14:30-17:30; empty: closed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n, name in enumerate(WEEKDAYS):
            self.fields[f"day{n}"] = forms.CharField(
                label=name, required=False, widget=forms.TextInput(attrs={"placeholder": "09:00-12:00, 14:30-17:30"})
            )


class ClosedDayForm(forms.Form):
    date = forms.DateField(label=_("闭馆日期"), widget=DateInput(), validators=[date_within(past=0, future=YEAR_DAYS)])
    reason = forms.CharField(label=_("原因"), max_length=100, required=False)


class RoomForm(forms.ModelForm):
    class Meta:
        model = Room
        fields = ["name", "capacity", "equipment", "requires_approval", "is_active"]


class BookingForm(forms.Form):
    date = forms.DateField(label=_("日期"), widget=DateInput(), validators=[date_within(past=0, future=YEAR_DAYS)])
    start = forms.ChoiceField(label=_("开始"), choices=half_hours())
    end = forms.ChoiceField(label=_("结束"), choices=half_hours())
    purpose = forms.CharField(
        label=_("用途"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("如：楼栋议事会、兴趣小组活动")}),
    )
    attendees = forms.IntegerField(label=_("人数"), min_value=1, initial=1)

    def times(self, tz) -> tuple[datetime.datetime, datetime.datetime]:
        d = self.cleaned_data["date"]
        start = datetime.datetime.combine(d, datetime.time.fromisoformat(self.cleaned_data["start"]), tzinfo=tz)
        end = datetime.datetime.combine(d, datetime.time.fromisoformat(self.cleaned_data["end"]), tzinfo=tz)
        return start, end


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=ActivityKind.choices)
    title = forms.CharField(label=_("名称"), max_length=100)
    room = forms.ChoiceField(label=_("功能室"), required=False)
    place = forms.CharField(label=_("地点补充"), max_length=200, required=False)
    date = forms.DateField(
        label=_("日期"), widget=DateInput(), validators=[date_within(past=MONTH_DAYS, future=YEAR_DAYS)]
    )
    start = forms.ChoiceField(label=_("开始"), choices=half_hours())
    end = forms.ChoiceField(label=_("结束"), choices=half_hours())
    capacity = forms.IntegerField(label=_("名额（留空不限）"), min_value=1, required=False)
    description = forms.CharField(label=_("内容"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, rooms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].choices = [("", _("不使用功能室"))] + [(str(r.public_id), r.name) for r in rooms]


class CircleSettingsForm(forms.ModelForm):
    class Meta:
        model = CircleSettings
        fields = ["minutes", "detour_factor", "walk_speed", "persons_per_household"]


class NoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), max_length=200, required=False)
