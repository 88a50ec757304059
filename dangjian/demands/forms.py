"""Forms of the demand loop. Every step form carries the `version` the page was rendered at, so a
change made meanwhile by someone else is refused instead of overwritten."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.core.photos import PhotosField
from dangjian.people.models import Member
from dangjian.registration.models import ServiceIntention
from dangjian.territory.models import Area, Building, Estate
from dangjian.units.models import ResidentUnit
from dangjian.volunteering.models import Team

from .models import AssigneeKind, DemandKind


def intentions_for(community: Area | None) -> Any:
    """The service categories of the community's district, else the defaults."""
    active = ServiceIntention.objects.filter(is_active=True).order_by("order", "pk")
    if community is not None:
        own = active.filter(district__path=community.path[:4])
        if own.exists():
            return own
    return active.filter(district__isnull=True)


class SubmitForm(forms.Form):
    """我要点单 (and the desk's 代录, with the requester's name and phone)."""

    kind = forms.ChoiceField(label=_("需求类型"), choices=DemandKind.choices, widget=forms.RadioSelect)
    category = forms.ModelChoiceField(
        label=_("服务类别"), required=False, queryset=ServiceIntention.objects.none(), empty_label=_("请选择")
    )
    title = forms.CharField(
        label=_("标题"), max_length=100, widget=forms.TextInput(attrs={"placeholder": _("一句话说明需求")})
    )
    description = forms.CharField(
        label=_("具体内容"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    estate = forms.ModelChoiceField(
        label=_("小区"),
        required=False,
        queryset=Estate.objects.none(),
        to_field_name="public_id",
        empty_label=_("请选择"),
    )
    building = forms.ModelChoiceField(
        label=_("楼栋"),
        required=False,
        queryset=Building.objects.none(),
        to_field_name="public_id",
        empty_label=_("请选择"),
    )
    needed_by = forms.DateField(label=_("希望完成日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    bank_hours = forms.DecimalField(
        label=_("支付时间币（小时，选填）"),
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )
    photos = PhotosField(label=_("照片（选填）"), required=False)
    requester_name = forms.CharField(label=_("求助人姓名"), required=False, max_length=50)
    requester_phone = forms.CharField(label=_("求助人电话"), required=False, max_length=20)
    community = forms.ModelChoiceField(
        label=_("社区"),
        required=False,
        queryset=Area.objects.none(),
        to_field_name="public_id",
        empty_label=_("请选择"),
    )

    def __init__(self, *args: Any, communities: Any, for_someone: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        communities = list(communities)
        first = communities[0] if communities else None
        self.fields["category"].queryset = intentions_for(first)
        ids = [c.pk for c in communities]
        self.fields["estate"].queryset = Estate.objects.filter(community_id__in=ids).order_by("name")
        self.fields["building"].queryset = (
            Building.objects.filter(community_id__in=ids).select_related("estate").order_by("estate__name", "name")
        )
        self.fields["building"].label_from_instance = lambda b: f"{b.estate.name} {b.name}" if b.estate else b.name
        if for_someone:
            del self.fields["bank_hours"]
            self.fields["community"].queryset = Area.objects.filter(pk__in=ids).order_by("path")
            self.fields["requester_name"].required = True
        else:
            for name in ("requester_name", "requester_phone", "community"):
                del self.fields[name]


class FilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=50)


class StepForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class NoteForm(StepForm):
    note = forms.CharField(
        label=_("说明（选填）"), required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class RequiredNoteForm(StepForm):
    note = forms.CharField(label=_("原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(StepForm):
    reason = forms.CharField(label=_("原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))


class DispatchForm(StepForm):
    kind = forms.ChoiceField(
        label=_("派给"), choices=AssigneeKind.choices, widget=forms.Select(attrs={"data-assignee-kind-field": ""})
    )
    member = forms.ModelChoiceField(
        label=_("党员"),
        required=False,
        queryset=Member.objects.none(),
        to_field_name="public_id",
        empty_label=_("请选择"),
    )
    unit = forms.ModelChoiceField(
        label=_("驻区单位"),
        required=False,
        queryset=ResidentUnit.objects.none(),
        to_field_name="public_id",
        empty_label=_("请选择"),
    )
    team = forms.ModelChoiceField(
        label=_("志愿服务队"),
        required=False,
        queryset=Team.objects.none(),
        to_field_name="public_id",
        empty_label=_("请选择"),
    )
    note = forms.CharField(
        label=_("说明（选填）"), required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )
    # Filled by the suggestions' 选派 button; the page's script copies it into the select of the kind.
    assignee_id = forms.CharField(required=False, widget=forms.HiddenInput(attrs={"data-assignee-id-field": ""}))

    def __init__(self, *args: Any, demand: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        community = demand.community
        self.fields["member"].queryset = Member.objects.filter(home_community=community, user__isnull=False).order_by(
            "pinyin", "pk"
        )
        self.fields["unit"].queryset = ResidentUnit.objects.filter(community=community).order_by("name")
        self.fields["team"].queryset = Team.objects.filter(
            area__path__startswith=community.path, is_active=True, leader__isnull=False
        ).order_by("name")
        for name in ("member", "unit", "team"):
            self.fields[name].widget.attrs["data-kind"] = name


class DoneForm(StepForm):
    note = forms.CharField(label=_("完成情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    hours = forms.DecimalField(
        label=_("服务时长（小时）"),
        min_value=0.1,
        max_value=100,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )
    photos = PhotosField(label=_("照片（选填）"), required=False)


class RateForm(StepForm):
    rating = forms.TypedChoiceField(
        label=_("评价"),
        coerce=int,
        choices=[(5, "★★★★★"), (4, "★★★★"), (3, "★★★"), (2, "★★"), (1, "★")],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("说两句（选填）"), required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )


class ClaimForm(StepForm):
    team = forms.ModelChoiceField(
        label=_("以服务队名义"), required=False, queryset=Team.objects.none(), to_field_name="public_id"
    )
