from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.validators import MONTH_DAYS, YEAR_DAYS, date_within
from dangjian.core.widgets import DateInput, DateTimeInput, TimeInput


def _at(date: datetime.date, time: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(date, time, tzinfo=timezone.get_current_timezone())


class TimeRangeMixin:
    """A date with a start and end time (same day), as aware datetimes in cleaned_data."""

    def clean(self):
        data = super().clean()  # type: ignore[misc]
        date, start, end = data.get("date"), data.get("start"), data.get("end")
        if date and start and end:
            data["start_at"], data["end_at"] = _at(date, start), _at(date, end)
            if data["end_at"] <= data["start_at"]:
                raise forms.ValidationError(_("结束时间须晚于开始时间。"))
        return data


class TeamForm(forms.Form):
    name = forms.CharField(label=_("服务队名称"), max_length=100)
    description = forms.CharField(label=_("简介"), max_length=300, required=False)


class MemberAddForm(forms.Form):
    mobile = forms.RegexField(
        label=_("手机号"), regex=r"^1\d{10}$", error_messages={"invalid": _("请输入 11 位手机号。")}
    )


class TeamActivityForm(TimeRangeMixin, forms.Form):
    title = forms.CharField(label=_("活动名称"), max_length=100)
    place = forms.CharField(label=_("地点"), max_length=200)
    date = forms.DateField(
        label=_("日期"), widget=DateInput(), validators=[date_within(past=MONTH_DAYS, future=YEAR_DAYS)]
    )
    start = forms.TimeField(label=_("开始"), widget=TimeInput())
    end = forms.TimeField(label=_("结束"), widget=TimeInput())
    capacity = forms.IntegerField(label=_("名额（留空不限）"), min_value=1, required=False)
    description = forms.CharField(label=_("内容"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class PostForm(forms.Form):
    name = forms.CharField(label=_("岗位名称"), max_length=100)
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    description = forms.CharField(
        label=_("岗位职责"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ShiftForm(TimeRangeMixin, forms.Form):
    date = forms.DateField(
        label=_("日期"), widget=DateInput(), validators=[date_within(past=MONTH_DAYS, future=YEAR_DAYS)]
    )
    start = forms.TimeField(label=_("开始"), widget=TimeInput())
    end = forms.TimeField(label=_("结束"), widget=TimeInput())
    capacity = forms.IntegerField(label=_("人数"), min_value=1, max_value=100, initial=1)


class CorrectionForm(forms.Form):
    absent = forms.BooleanField(label=_("标记为缺席（不计时长）"), required=False)
    checked_in_at = forms.DateTimeField(
        label=_("签到时间"),
        required=False,
        widget=DateTimeInput(),
        validators=[date_within(past=YEAR_DAYS, future=0)],
    )
    checked_out_at = forms.DateTimeField(
        label=_("签退时间"),
        required=False,
        widget=DateTimeInput(),
        validators=[date_within(past=YEAR_DAYS, future=0)],
    )
    note = forms.CharField(label=_("更正原因（记入审计）"), max_length=300)

    def clean(self):
        data = super().clean()
        if not data.get("absent") and not (data.get("checked_in_at") and data.get("checked_out_at")):
            raise forms.ValidationError(_("请填写签到和签退时间，或标记为缺席。"))
        return data
