"""Forms of member development: registering an application, a step (which fields each step takes), a document."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.widgets import DateInput
from dangjian.people.models import Member

from .models import DocKind
from .workflow import Step

VOTE_FIELDS = ("due", "present", "votes_for", "against", "abstain")
# The keyword arguments of services.recruit_step each step reads (besides on / note / version).
STEP_FIELDS: dict[str, tuple[str, ...]] = {
    Step.INTRODUCERS: ("introducer_1", "introducer_2"),
    Step.REVIEW: ("result",),
    Step.TRAIN: ("hours",),
    Step.EXTEND: ("months",),
    Step.ADMIT_VOTE: VOTE_FIELDS,
    Step.CONVERT_VOTE: VOTE_FIELDS,
    Step.DISQUALIFY: VOTE_FIELDS,
}


class RecruitForm(forms.Form):
    org = forms.TypedChoiceField(label=_("党支部"), coerce=int)
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(label=_("身份证号"), max_length=18, required=False)
    birth_date = forms.DateField(label=_("出生日期（无身份证号时填写）"), required=False, widget=DateInput)
    mobile = forms.CharField(label=_("手机号"), max_length=11, required=False)
    applied_on = forms.DateField(label=_("递交入党申请书日期"), widget=DateInput, initial=timezone.localdate)

    def __init__(self, *args: Any, branches: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.branches = {b.pk: b for b in branches}
        self.fields["org"].choices = [(b.pk, b.name) for b in self.branches.values()]

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["org"] = self.branches[data["org"]]
        return data


class StepForm(forms.Form):
    """One form for every step; `kwargs(step)` keeps what the step's service reads."""

    on = forms.DateField(label=_("办理日期"), widget=DateInput, initial=timezone.localdate)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    introducer_1 = forms.ModelChoiceField(label=_("入党介绍人一"), queryset=Member.objects.none(), required=False)
    introducer_2 = forms.ModelChoiceField(label=_("入党介绍人二"), queryset=Member.objects.none(), required=False)
    result = forms.CharField(label=_("政治审查结论"), max_length=200, required=False)
    hours = forms.IntegerField(label=_("培训学时"), min_value=0, max_value=1000, required=False)
    months = forms.IntegerField(label=_("延长月数"), min_value=0, max_value=24, required=False)
    due = forms.IntegerField(label=_("应到会有表决权的正式党员"), min_value=0, max_value=10000, required=False)
    present = forms.IntegerField(label=_("实到"), min_value=0, max_value=10000, required=False)
    votes_for = forms.IntegerField(label=_("赞成"), min_value=0, max_value=10000, required=False)
    against = forms.IntegerField(label=_("反对"), min_value=0, max_value=10000, required=False)
    abstain = forms.IntegerField(label=_("弃权"), min_value=0, max_value=10000, required=False)

    def __init__(self, *args: Any, introducers: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if introducers is not None:
            for name in ("introducer_1", "introducer_2"):
                self.fields[name].queryset = introducers  # type: ignore[attr-defined]

    def kwargs(self, step: str) -> dict[str, Any]:
        data = self.cleaned_data
        out: dict[str, Any] = {"on": data["on"], "note": data.get("note") or "", "version": data.get("version")}
        for name in STEP_FIELDS.get(step, ()):
            value = data.get(name)
            out[name] = value if value is not None or name.startswith("introducer") else 0
        if step == Step.REVIEW:
            out["result"] = data.get("result") or ""
        return out


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类别"), choices=DocKind.choices)
    title = forms.CharField(label=_("标题"), max_length=100, required=False)
    dated = forms.DateField(label=_("日期"), widget=DateInput, initial=timezone.localdate)
    file = forms.FileField(label=_("扫描件（可选）"), required=False)
