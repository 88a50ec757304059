"""Forms of the demand loop. Every step form carries the `version` the page was rendered at, so a
change made meanwhile by someone else is refused instead of overwritten."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dangjian.core.photos import PhotosField
from dangjian.core.tree import STEP
from dangjian.core.validators import YEAR_DAYS, date_within
from dangjian.core.widgets import DateInput, public_choice
from dangjian.people.models import Member
from dangjian.territory.filters import PlaceDaysFilterForm
from dangjian.territory.models import Area, Building, Estate
from dangjian.units.models import ResidentUnit
from dangjian.volunteering.models import Team

from ..models import AssigneeKind, DemandKind, NeedCategory
from ..workflow import Party


def needs_for(community: Area | None) -> Any:
    """The residents' need categories of the community's district, else the defaults."""
    active = NeedCategory.objects.filter(is_active=True).order_by("order", "pk")
    if community is not None:
        own = active.filter(district__path=community.path[:STEP])
        if own.exists():
            return own
    return active.filter(district__isnull=True)


class SubmitForm(forms.Form):
    """我要点单 (and the desk's 代录, with the requester's name and phone)."""

    kind = forms.ChoiceField(label=_("需求类型"), choices=DemandKind.choices, widget=forms.RadioSelect)
    category = forms.ModelChoiceField(
        label=_("需求类别"), required=False, queryset=NeedCategory.objects.none(), empty_label=_("请选择")
    )
    title = forms.CharField(
        label=_("标题"), max_length=100, widget=forms.TextInput(attrs={"placeholder": _("一句话说明需求")})
    )
    description = forms.CharField(
        label=_("具体内容"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    estate = public_choice(_("小区"), Estate)
    building = public_choice(_("楼栋"), Building)
    needed_by = forms.DateField(
        label=_("希望完成日期"), required=False, widget=DateInput(), validators=[date_within(past=0, future=YEAR_DAYS)]
    )
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
    community = public_choice(_("社区"), Area)

    # The place fields, narrowed one by the other (社区 → 小区 → 楼栋) on the page, re-rendered by htmx.
    PLACE_FIELDS = ("community", "estate", "building")

    def __init__(self, *args: Any, communities: Any, for_someone: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        communities = list(communities)
        first = communities[0] if communities else None
        self.fields["category"].queryset = needs_for(first)
        ids = [c.pk for c in communities]
        if for_someone:
            del self.fields["bank_hours"]
            self.fields["community"].queryset = Area.objects.filter(pk__in=ids).order_by("path")
            self.fields["requester_name"].required = True
            community = self._chosen("community", self.fields["community"].queryset)
            if community is not None:
                ids = [community.pk]
            names = list(self.fields)
            names.remove("community")
            names.insert(names.index("estate"), "community")
            self.order_fields(names)
        else:
            for name in ("requester_name", "requester_phone", "community"):
                del self.fields[name]
        estates = Estate.objects.filter(community_id__in=ids).order_by("name")
        self.fields["estate"].queryset = estates
        buildings = Building.objects.filter(community_id__in=ids)
        estate = self._chosen("estate", estates)
        if estate is not None:
            buildings = buildings.filter(estate=estate)
        self.fields["building"].queryset = buildings.select_related("estate").order_by("estate__name", "name")
        self.fields["building"].label_from_instance = lambda b: f"{b.estate.name} {b.name}" if b.estate else b.name

    def _chosen(self, name: str, queryset: Any) -> Any:
        """The object picked in field `name` (posted, or the initial of an htmx refresh), if it is offered."""
        value = self.data.get(self.add_prefix(name)) if self.is_bound else self.initial.get(name)
        if not value:
            return None
        try:
            return queryset.filter(public_id=value).first()
        except (ValueError, ValidationError):
            return None


class FilterForm(PlaceDaysFilterForm):
    """The desk's search and, as the case list has them (and the cockpit's links carry them), the place,
    the submission dates, the kind (微心愿, 家庭帮扶...), and 不含撤回 / 已服务."""

    q = forms.CharField(label=_("搜索"), required=False, max_length=50)
    date_from = forms.DateField(label=_("提交日期起"), required=False, widget=DateInput())
    kind = forms.ChoiceField(label=_("需求类型"), required=False, choices=[("", _("全部类型")), *DemandKind.choices])
    unwithdrawn = forms.BooleanField(label=_("不含撤回"), required=False)
    served = forms.BooleanField(label=_("已服务"), required=False)

    LIST_FILTERS = (*PlaceDaysFilterForm.LIST_FILTERS, "kind", "unwithdrawn", "served")


class StepForm(forms.Form):
    """A step's form on the demand's page: its cleaned fields are the step service's keyword arguments.

    Every step form is built with the demand and the parties the viewer plays in it."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, demand: Any = None, parties: Any = frozenset(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.demand = demand
        self.parties = frozenset(parties)

    def service_kwargs(self) -> dict[str, Any]:
        """What the step's service takes besides the actor, the demand and the version."""
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class NoteForm(StepForm):
    note = forms.CharField(
        label=_("说明（选填）"), required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class WithdrawForm(NoteForm):
    """The requester withdraws without a word; a worker withdrawing for them says why."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if Party.REQUESTER not in self.parties:
            self.fields["note"] = forms.CharField(
                label=_("原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
            )


class ReasonForm(StepForm):
    reason = forms.CharField(label=_("原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))


class DispatchForm(StepForm):
    kind = forms.ChoiceField(
        label=_("派给"), choices=AssigneeKind.choices, widget=forms.Select(attrs={"data-assignee-kind-field": ""})
    )
    member = public_choice(_("党员"), Member)
    unit = public_choice(_("驻区单位"), ResidentUnit)
    team = public_choice(_("志愿服务队"), Team)
    note = forms.CharField(
        label=_("说明（选填）"), required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )
    # Filled by the suggestions' 选派 button; the page's script copies it into the select of the kind.
    assignee_id = forms.CharField(required=False, widget=forms.HiddenInput(attrs={"data-assignee-id-field": ""}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        community = self.demand.community
        self.fields["member"].queryset = Member.objects.filter(home_community=community, user__isnull=False).order_by(
            "pinyin", "pk"
        )
        self.fields["unit"].queryset = ResidentUnit.objects.filter(community=community).order_by("name")
        self.fields["team"].queryset = Team.objects.filter(
            area__path__startswith=community.path, is_active=True, leader__isnull=False
        ).order_by("name")
        for name in ("member", "unit", "team"):
            self.fields[name].widget.attrs["data-kind"] = name

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        kind = data["kind"]
        picked = {name: data.get(name) if kind == name else None for name in ("member", "unit", "team")}
        return {"kind": kind, **picked, "note": data.get("note", "")}


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
