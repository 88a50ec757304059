from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import prefix_q
from dangjian.core.widgets import DateTimeInput
from dangjian.orgs.models import OrgType
from dangjian.territory.models import Area
from dangjian.units.models import ResidentUnit
from dangjian.volunteering.models import Team

from .models import HelpKind, NeedKind, TaskKind

QUOTA_ROWS = 8
QUOTA_LEVELS = ("subdistrict", "zone", "community", "grid")


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        return f"{obj.name}（{obj.get_level_display()}）"


class TeamChoiceField(forms.ModelMultipleChoiceField):
    """Teams of the same name serve many communities: each is named with its own."""

    def label_from_instance(self, obj: Team) -> str:
        return f"{obj.area.name} · {obj.name}" if obj.area_id else obj.name


class CallUpForm(forms.Form):
    title = forms.CharField(label=_("动员名称"), max_length=100)
    kinds = forms.MultipleChoiceField(
        label=_("需要的帮助"), choices=HelpKind.choices, widget=forms.CheckboxSelectMultiple
    )
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=DateTimeInput())
    brief = forms.CharField(
        label=_("任务说明（选填）"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    call_members = forms.BooleanField(label=_("召集辖区内登记的在职党员"), required=False, initial=True)
    units = forms.ModelMultipleChoiceField(
        label=_("召集这些机关单位的党员干部（选填）"),
        queryset=ResidentUnit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    teams = TeamChoiceField(
        label=_("召集这些志愿服务队（选填）"),
        queryset=Team.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    is_drill = forms.BooleanField(label=_("这是一次演练"), required=False)

    def __init__(self, *args: Any, issuer: Area, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        nodes = Area.objects.filter(prefix_q("path", issuer.path), level__in=QUOTA_LEVELS).exclude(pk=issuer.pk)
        units: Any = self.fields["units"]
        units.queryset = ResidentUnit.objects.filter(prefix_q("community__path", issuer.path), kind="agency").order_by(
            "name"
        )
        teams: Any = self.fields["teams"]
        teams.queryset = (
            Team.objects.filter(prefix_q("area__path", issuer.path), is_active=True)
            .select_related("area")
            .order_by("area__path", "name")
        )
        for i in range(1, QUOTA_ROWS + 1):
            self.fields[f"area_{i}"] = AreaChoiceField(label=_("属地"), queryset=nodes.order_by("path"), required=False)
            self.fields[f"count_{i}"] = forms.IntegerField(label=_("需要人数"), min_value=1, required=False)

    def quota_rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"area_{i}"], self[f"count_{i}"]) for i in range(1, QUOTA_ROWS + 1)]

    def quotas(self) -> list[tuple[Area, int]]:
        found = []
        for i in range(1, QUOTA_ROWS + 1):
            area, count = self.cleaned_data.get(f"area_{i}"), self.cleaned_data.get(f"count_{i}")
            if area is not None and count:
                found.append((area, count))
        return found


class AnswerForm(forms.Form):
    available = forms.TypedChoiceField(
        label=_("能否参加"),
        choices=[("1", _("可以参加")), ("0", _("不能参加"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    available_from = forms.DateTimeField(label=_("可参加开始（选填）"), required=False, widget=DateTimeInput())
    available_to = forms.DateTimeField(label=_("可参加结束（选填）"), required=False, widget=DateTimeInput())
    skills = forms.CharField(label=_("特长（选填）"), max_length=200, required=False)
    limits = forms.CharField(label=_("限制（选填，如只能夜间、不能登高）"), max_length=200, required=False)


class PlaceForm(forms.Form):
    grid = AreaChoiceField(label=_("网格"), queryset=Area.objects.none())
    reason = forms.CharField(label=_("说明（选填）"), max_length=200, required=False)

    def __init__(self, *args: Any, grids: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["grid"]
        field.queryset = grids


class ShiftForm(forms.Form):
    start = forms.DateTimeField(label=_("开始"), widget=DateTimeInput())
    end = forms.DateTimeField(label=_("结束"), widget=DateTimeInput())
    capacity = forms.IntegerField(label=_("人数"), min_value=1, max_value=200, initial=2)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.full_name or obj.username


class TaskForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=TaskKind.choices)
    title = forms.CharField(label=_("任务"), max_length=100)
    assignee = PersonChoiceField(label=_("负责人（选填）"), queryset=None, required=False)
    due_at = forms.DateTimeField(label=_("完成时限（选填）"), required=False, widget=DateTimeInput())

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["assignee"]
        field.queryset = people


class AssignForm(forms.Form):
    assignee = PersonChoiceField(label=_("走访人"), queryset=None)

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["assignee"]
        field.queryset = people


class VisitForm(forms.Form):
    needs = forms.MultipleChoiceField(
        label=_("需求清单"), choices=NeedKind.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    other = forms.CharField(label=_("其他需求说明"), max_length=200, required=False)
    note = forms.CharField(label=_("走访情况（选填）"), max_length=300, required=False)


class ExcuseForm(forms.Form):
    reason = forms.CharField(label=_("未走访原因"), max_length=300)


class ReportForm(forms.Form):
    text = forms.CharField(label=_("进展情况"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    photo = forms.FileField(label=_("照片（选填）"), required=False)
    done = forms.BooleanField(label=_("任务已完成"), required=False)


class TempOrgForm(forms.Form):
    org_type = forms.ChoiceField(
        label=_("组织类型"),
        choices=[
            (OrgType.TEMP_COMMITTEE, OrgType.TEMP_COMMITTEE.label),
            (OrgType.TEMP_BRANCH, OrgType.TEMP_BRANCH.label),
        ],
    )
    name = forms.CharField(label=_("名称（选填）"), max_length=150, required=False)
    secretary = forms.CharField(label=_("书记"), max_length=50, required=False)


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("会议名称"), max_length=100)
    starts_at = forms.DateTimeField(label=_("时间"), widget=DateTimeInput())
    place = forms.CharField(label=_("地点（选填）"), max_length=100, required=False)


class EndForm(forms.Form):
    note = forms.CharField(label=_("说明（选填）"), max_length=300, required=False)
