"""Forms of duty lists, admission and tasks: field shapes only; the rules live in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.core.widgets import DateInput

from .models import DecisionBody, DutyKind, FieldKind, ListKind

FIELD_ROWS = 5  # the form rows a new task offers (a task may ask for fewer)


class ListForm(forms.Form):
    owner = forms.ChoiceField(label=_("所属"))
    kind = forms.ChoiceField(label=_("清单"), choices=ListKind.choices)

    def __init__(self, *args, owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [(str(a.public_id), f"{a.name}（{a.get_level_display()}）") for a in owners]


class EntryForm(forms.Form):
    name = forms.CharField(label=_("事项名称"), max_length=200)
    kind = forms.ModelChoiceField(label=_("类别"), queryset=DutyKind.objects.all(), empty_label=None)
    lead_text = forms.CharField(label=_("责任主体"), max_length=100, required=False)
    lead_department = forms.ChoiceField(label=_("牵头部门"), required=False)
    community_may_be_responsible = forms.TypedChoiceField(
        label=_("社区可作为责任主体"),
        choices=[("", _("按类别默认")), ("1", _("是")), ("0", _("否"))],
        coerce=lambda v: v == "1",
        empty_value=None,
        required=False,
    )
    legal_basis = forms.CharField(label=_("设定依据"), max_length=300, required=False)
    sort = forms.IntegerField(label=_("序号"), min_value=0, required=False)

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.departments = {str(d.public_id): d for d in departments}
        self.fields["lead_department"].choices = [("", "—"), *((k, d.name) for k, d in self.departments.items())]

    def data_for_service(self) -> dict:
        data = dict(self.cleaned_data)
        data["lead_department"] = self.departments.get(data.get("lead_department") or "")
        return data


class EnactForm(forms.Form):
    effective_on = forms.DateField(label=_("生效日期"), widget=DateInput)
    basis = forms.CharField(label=_("批准依据（文件或会议）"), max_length=200)


class AdmissionForm(forms.Form):
    title = forms.CharField(label=_("事项名称"), max_length=200)
    reason = forms.CharField(label=_("申请理由"), widget=forms.Textarea(attrs={"rows": 4}))
    entry = forms.ChoiceField(label=_("对应的社区工作事项（不选即为新增事项）"), required=False)
    money = forms.DecimalField(label=_("随事转拨经费（元）"), min_value=0, max_digits=12, decimal_places=2, initial=0)
    people = forms.IntegerField(label=_("随事配备人员（人）"), min_value=0, max_value=999, initial=0)
    powers = forms.CharField(label=_("随责下放的权限"), max_length=300, required=False)
    resources_note = forms.CharField(label=_("其他保障"), max_length=300, required=False)

    def __init__(self, *args, entries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.entries = {str(e.public_id): e for e in entries}
        self.fields["entry"].choices = [("", _("新增事项")), *((k, e.name) for k, e in self.entries.items())]


class DecisionForm(forms.Form):
    decided_on = forms.DateField(label=_("决定日期"), widget=DateInput)
    decision_body = forms.ChoiceField(label=_("决定机关"), choices=DecisionBody.choices)
    decision_basis = forms.CharField(label=_("决定依据（会议纪要或批复文号）"), max_length=300)
    note = forms.CharField(label=_("说明"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ToDraftForm(forms.Form):
    duty_list = forms.ChoiceField(label=_("列入清单"))
    kind = forms.ModelChoiceField(
        label=_("类别"), queryset=DutyKind.objects.filter(community_may_be_responsible=True), empty_label=None
    )

    def __init__(self, *args, lists=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lists = {str(d.public_id): d for d in lists}
        self.fields["duty_list"].choices = [(k, d.name) for k, d in self.lists.items()]


class TaskForm(forms.Form):
    title = forms.CharField(label=_("任务名称"), max_length=200)
    body = forms.CharField(label=_("任务内容"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    deadline = forms.DateField(label=_("填报截止日期"), widget=DateInput)
    entry = forms.ChoiceField(label=_("依据的社区工作事项"), required=False)
    admission = forms.ChoiceField(label=_("或依据的准入事项"), required=False)
    communities = forms.MultipleChoiceField(label=_("下派社区"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, entries=(), admissions=(), communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.entries = {str(e.public_id): e for e in entries}
        self.admissions = {str(a.public_id): a for a in admissions}
        self.areas = {str(c.public_id): c for c in communities}
        self.fields["entry"].choices = [
            ("", _("（未列入清单）")),
            *((k, f"{e.name}（{e.kind.name}）") for k, e in self.entries.items()),
        ]
        self.fields["admission"].choices = [("", _("（无）")), *((k, a.title) for k, a in self.admissions.items())]
        self.fields["communities"].choices = [(k, c.name) for k, c in self.areas.items()]
        for i in range(1, FIELD_ROWS + 1):
            self.fields[f"label_{i}"] = forms.CharField(
                label=_("填报项 %(i)s") % {"i": i}, max_length=60, required=False
            )
            self.fields[f"kind_{i}"] = forms.ChoiceField(label=_("类型"), choices=FieldKind.choices, required=False)
            self.fields[f"required_{i}"] = forms.BooleanField(label=_("必填"), required=False, initial=True)
            self.fields[f"choices_{i}"] = forms.CharField(label=_("选项（以、分隔）"), max_length=300, required=False)

    def field_rows(self):
        return [
            (self[f"label_{i}"], self[f"kind_{i}"], self[f"required_{i}"], self[f"choices_{i}"])
            for i in range(1, FIELD_ROWS + 1)
        ]

    def for_service(self) -> dict:
        d = self.cleaned_data
        return {
            "title": d["title"],
            "body": d["body"],
            "deadline": d["deadline"],
            "entry": self.entries.get(d.get("entry") or ""),
            "admission": self.admissions.get(d.get("admission") or ""),
            "communities": [self.areas[k] for k in d["communities"]],
            "fields": [
                {
                    "label": d[f"label_{i}"],
                    "kind": d[f"kind_{i}"] or FieldKind.TEXT,
                    "required": d[f"required_{i}"],
                    "choices": d[f"choices_{i}"],
                }
                for i in range(1, FIELD_ROWS + 1)
                if (d.get(f"label_{i}") or "").strip()
            ],
        }


class CiteForm(forms.Form):
    entry = forms.ChoiceField(label=_("依据的社区工作事项"), required=False)
    admission = forms.ChoiceField(label=_("或依据的准入事项"), required=False)

    def __init__(self, *args, entries=(), admissions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.entries = {str(e.public_id): e for e in entries}
        self.admissions = {str(a.public_id): a for a in admissions}
        self.fields["entry"].choices = [
            ("", _("（未列入清单）")),
            *((k, f"{e.name}（{e.kind.name}）") for k, e in self.entries.items()),
        ]
        self.fields["admission"].choices = [("", _("（无）")), *((k, a.title) for k, a in self.admissions.items())]
