"""Forms of the workbench: the list's filters and one form per lifecycle step on the case page.

Every step form carries the `version` the page was rendered at, so a change made meanwhile by
someone else is refused (StaleObject) instead of overwritten. A step form is named by the step's
StepSpec (workflow.CASE_FLOW) and hands its step service the keyword arguments (`service_kwargs`):
the case page dispatches every step the same way."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.http import Http404
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from dangjian.accounts.models import RoleAssignment
from dangjian.accounts.roles import Role
from dangjian.core.photos import PhotosField
from dangjian.core.widgets import DateInput, public_choice
from dangjian.territory.filters import PlaceDaysFilterForm
from dangjian.territory.models import Area, Level
from dangjian.units.models import Department, ResidentUnit

from ..models import (
    AssigneeKind,
    Case,
    CaseCategory,
    CaseStatus,
    Channel,
    DutyItem,
    Extension,
    ExtensionStatus,
    LimitUnit,
    Rating,
)


class QuickSelect(forms.Select):
    """A plain <select> (no option groups) rendered in Python, the same markup as Django's Select: the
    list page renders its filters on every view, and the template-rendered widget cost a template include
    per option (a third of the page's rendering)."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        chosen = set(self.format_value(value))
        options = []
        choices = self.choices
        if isinstance(choices, ModelChoiceIterator):
            # One plain query: the iterator's queryset.iterator() opens a server-side cursor on PostgreSQL
            # (DECLARE, FETCH, CLOSE: three round trips for a few rows).
            empty = [("", choices.field.empty_label)] if choices.field.empty_label is not None else []
            choices = empty + [choices.choice(row) for row in list(choices.queryset)]
        for option_value, label in choices:
            text = "" if option_value is None else str(option_value)
            selected = " selected" if text in chosen else ""
            options.append(f'  <option value="{escape(text)}"{selected}>{escape(label)}</option>')
            if selected and not self.allow_multiple_selected:
                chosen = set()  # the first match only, as Django's Select
        final = self.build_attrs(self.attrs, attrs)
        attributes = f' name="{escape(name)}"' + "".join(
            f" {escape(k)}" if v is True else f' {escape(k)}="{escape(v)}"'
            for k, v in final.items()
            if v is not False and v is not None
        )
        # Every part is escaped above.
        return mark_safe(f"<select{attributes}>\n" + "\n".join(options) + "\n</select>")  # noqa: S308


class CaseFilterForm(PlaceDaysFilterForm):
    """The list's filters. The place and the days of receipt are the shared ones
    (territory.filters.PlaceDaysFilterForm, as the cockpit's links carry them); a value that does not hold
    is dropped with its error shown, the others still filter."""

    q = forms.CharField(label=_("搜索"), required=False, max_length=50)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *CaseStatus.choices], widget=QuickSelect
    )
    category = forms.ModelChoiceField(
        label=_("类别"),
        required=False,
        queryset=CaseCategory.objects.all(),
        to_field_name="code",
        empty_label=_("全部类别"),
        widget=QuickSelect,
    )
    channel = forms.ChoiceField(
        label=_("来源"), required=False, choices=[("", _("全部来源")), *Channel.choices], widget=QuickSelect
    )
    department = public_choice(_("承办部门"), Department, empty_label=_("全部部门"), widget=QuickSelect)
    overdue = forms.BooleanField(label=_("仅看超期"), required=False)
    supervised = forms.BooleanField(label=_("仅看督办"), required=False)
    # The cases the figures count (the cockpit's drill-down): a case merged into another is left out.
    unmerged = forms.BooleanField(label=_("不含被合并的重复件"), required=False)
    # The parts of the case figures (cases/facts.py): 办结 counts 回访 and 归档 too.
    closed = forms.BooleanField(label=_("已办结（含回访、归档）"), required=False)
    on_time = forms.BooleanField(label=_("按时办结"), required=False)
    rated = forms.BooleanField(label=_("已评价"), required=False)
    satisfied = forms.BooleanField(label=_("满意或基本满意"), required=False)
    mine = forms.BooleanField(label=_("我负责的"), required=False)
    date_from = forms.DateField(label=_("受理日期起"), required=False, widget=DateInput())

    LIST_FILTERS = (
        *PlaceDaysFilterForm.LIST_FILTERS,
        "q",
        "status",
        "category",
        "channel",
        "department",
        "overdue",
        "supervised",
        "unmerged",
        "closed",
        "on_time",
        "rated",
        "satisfied",
        "mine",
    )
    # The state filters of the figures' parts, in the order the list shows them.
    STATE_FILTERS = ("unmerged", "closed", "on_time", "rated", "satisfied")

    def __init__(self, *args: Any, user: Any, areas: Any = None, departments: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        if areas is not None:
            self.fields["area"].queryset = areas
        self.fields["department"].queryset = departments


class StepForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, case: Case | None = None, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case, self.user = case, user

    def service_kwargs(self) -> dict[str, Any]:
        """The step service's arguments besides actor, case and version (the service checks the rest)."""
        return {}


class NoteOnlyForm(StepForm):
    note = forms.CharField(
        label=_("说明（选填）"), required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )

    def service_kwargs(self) -> dict[str, Any]:
        return {"note": self.cleaned_data.get("note", "")}


class ReasonForm(StepForm):
    reason = forms.CharField(label=_("原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))

    def service_kwargs(self) -> dict[str, Any]:
        return {"reason": self.cleaned_data["reason"]}


class DispatchForm(StepForm):
    kind = forms.ChoiceField(label=_("派给"), choices=AssigneeKind.choices)
    department = forms.ModelChoiceField(
        label=_("承办部门"), required=False, queryset=Department.objects.none(), to_field_name="public_id"
    )
    grid = forms.ModelChoiceField(
        label=_("网格"), required=False, queryset=Area.objects.none(), to_field_name="public_id"
    )
    user = public_choice(_("指定人员（网格员或党员，选填）"), RoleAssignment)
    unit = forms.ModelChoiceField(
        label=_("驻区单位"), required=False, queryset=ResidentUnit.objects.none(), to_field_name="public_id"
    )
    note = forms.CharField(
        label=_("派单说明（选填）"), required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, case=case, **kwargs)
        district_path = case.area_path[:4]
        self.fields["department"].queryset = Department.objects.filter(area__path__startswith=district_path).order_by(
            "name"
        )
        community_path = case.community.path if case.community_id else case.area_path
        self.fields["grid"].queryset = Area.objects.filter(level=Level.GRID, path__startswith=community_path).order_by(
            "path"
        )
        people = RoleAssignment.objects.filter(is_active=True).select_related("user")
        self.fields["user"].queryset = people.filter(
            role=Role.GRID_WORKER, area__path__startswith=community_path
        ) | people.filter(role=Role.PARTY_MEMBER, home_community_id=case.community_id)
        self.fields["user"].label_from_instance = lambda a: f"{a.user} · {a.get_role_display()}"
        self.fields["unit"].queryset = ResidentUnit.objects.filter(community_id=case.community_id).order_by("name")
        for name, kinds in (("department", "department"), ("grid", "grid"), ("user", "grid member"), ("unit", "unit")):
            self.fields[name].widget.attrs["data-kind"] = kinds
        if case.duty_item_id and not self.is_bound:
            self.initial.setdefault("kind", AssigneeKind.DEPARTMENT)
            self.initial.setdefault("department", case.duty_item.lead_department.public_id)

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        kind, assignment = data["kind"], data.get("user")
        return {
            "kind": kind,
            "area": data.get("grid") if kind == "grid" else None,
            "department": data.get("department") if kind == "department" else None,
            "user": assignment.user if assignment is not None and kind in ("grid", "member") else None,
            "unit": data.get("unit") if kind == "unit" else None,
            "note": data.get("note", ""),
        }


class PhotoNoteForm(StepForm):
    text = forms.CharField(label=_("处置进展"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    photos = PhotosField(label=_("现场照片（选填）"), required=False)
    public = forms.BooleanField(label=_("反映人可见"), required=False)

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"text": data["text"], "photos": data["photos"], "public": data["public"]}


class CloseForm(StepForm):
    result = forms.CharField(label=_("办理结果"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    photos = PhotosField(label=_("处置后照片（选填）"), required=False)

    def service_kwargs(self) -> dict[str, Any]:
        return {"result": self.cleaned_data["result"], "photos": self.cleaned_data["photos"]}


class CallbackForm(StepForm):
    rating = forms.ChoiceField(label=_("评价"), choices=Rating.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("回访记录"), required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )

    def service_kwargs(self) -> dict[str, Any]:
        return {"rating": self.cleaned_data["rating"], "note": self.cleaned_data["note"]}


class MergeForm(StepForm):
    main = forms.CharField(label=_("主事件编号"), max_length=24)
    note = forms.CharField(label=_("说明（选填）"), required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.case is not None and self.case.possible_duplicate_of_id:
            self.initial["main"] = self.case.possible_duplicate_of.number

    def service_kwargs(self) -> dict[str, Any]:
        from ..selectors import workbench_cases

        number = self.cleaned_data["main"]
        main = workbench_cases(self.user).filter(number=number.strip()).first()
        if main is None:
            raise ValidationError(_("找不到编号为 %(n)s 的事件。") % {"n": number})
        return {"main": main, "note": self.cleaned_data.get("note", "")}


class RouteForm(StepForm):
    category = forms.ModelChoiceField(
        label=_("类别"), required=False, queryset=CaseCategory.objects.filter(is_active=True), to_field_name="code"
    )
    grid = forms.ModelChoiceField(
        label=_("网格"), required=False, queryset=Area.objects.none(), to_field_name="public_id"
    )
    duty_item = forms.ModelChoiceField(
        label=_("权责事项"), required=False, queryset=DutyItem.objects.none(), to_field_name="public_id"
    )
    note = forms.CharField(label=_("说明（选填）"), required=False, max_length=300)

    def __init__(self, *args: Any, case: Case, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, case=case, user=user, **kwargs)
        grids = Area.objects.visible_to(user).filter(level=Level.GRID).order_by("path")
        if case.grid_id:
            grids = grids | Area.objects.filter(pk=case.grid_id)
        self.fields["grid"].queryset = grids
        self.fields["duty_item"].queryset = DutyItem.objects.filter(subdistrict_id=case.subdistrict_id).order_by(
            "sort", "pk"
        )
        if not self.is_bound:
            self.initial.update(category=case.category.code, grid=case.grid.public_id if case.grid_id else None)
            if case.duty_item_id:
                self.initial["duty_item"] = case.duty_item.public_id

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "category": data.get("category"),
            "grid": data.get("grid"),
            "duty_item": data.get("duty_item"),
            "note": data.get("note", ""),
        }


class SuperviseForm(StepForm):
    note = forms.CharField(label=_("督办意见"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def service_kwargs(self) -> dict[str, Any]:
        return {"note": self.cleaned_data["note"]}


class ExtendAskForm(StepForm):
    amount = forms.IntegerField(label=_("延长"), min_value=1, max_value=60, initial=2)
    unit = forms.ChoiceField(label=_("单位"), choices=LimitUnit.choices, initial=LimitUnit.WORKDAYS)
    reason = forms.CharField(label=_("延期理由"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"amount": data["amount"], "unit": data["unit"], "reason": data["reason"]}


class ExtendDecideForm(StepForm):
    extension = forms.UUIDField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(label=_("审批"), choices=[("approve", _("批准")), ("refuse", _("不批准"))])
    note = forms.CharField(label=_("审批意见（选填）"), required=False, max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.case is not None:
            pending = self.case.extensions.filter(status=ExtensionStatus.PENDING).first()
            self.initial["extension"] = pending.public_id if pending else None

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        extension = Extension.objects.filter(case=self.case, public_id=data["extension"]).first()
        if extension is None:
            raise Http404
        return {"extension": extension, "approve": data["decision"] == "approve", "note": data.get("note", "")}
