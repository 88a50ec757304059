from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.core.validators import YEAR_DAYS, date_within
from dangjian.core.widgets import DateInput

from ..models import WeakReason


class FlagForm(forms.Form):
    """列为软弱涣散: which organization (chosen on the page from those in scope), why."""

    org = forms.UUIDField(
        label=_("党组织"), error_messages={"required": _("请选择要列入整顿的党组织。"), "invalid": _("请选择党组织。")}
    )
    reasons = forms.ModelMultipleChoiceField(
        label=_("列入原因"),
        queryset=WeakReason.objects.filter(is_active=True),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_reason = forms.CharField(label=_("其他原因"), max_length=200, required=False)
    situation = forms.CharField(
        label=_("问题表现"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("简要说明具体表现，如：近半年未按期召开支委会。")}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("reasons") and not (data.get("other_reason") or "").strip():
            self.add_error("reasons", _("请至少选择一项列入原因，或填写其他原因。"))
        return data


class StepForm(forms.Form):
    """One step of a rectification plan. The responsible person is chosen among those in scope."""

    title = forms.CharField(
        label=_("整改措施"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("如：补选支部委员，配齐班子")}),
        error_messages={"required": _("请填写整改措施。")},
    )
    deadline = forms.DateField(
        label=_("完成时限"),
        widget=DateInput(),
        validators=[date_within(past=0, future=YEAR_DAYS)],
        error_messages={"required": _("请填写完成时限。"), "invalid": _("请填写有效的日期。")},
    )
    responsible = forms.ChoiceField(label=_("责任人"), error_messages={"required": _("请选择责任人。")})

    def __init__(self, *args: Any, candidates: list[tuple[Any, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {str(user.public_id): user for user, _label in candidates}
        choices = [(str(user.public_id), label) for user, label in candidates]
        field = cast(forms.ChoiceField, self.fields["responsible"])
        field.choices = [("", _("请选择")), *choices]
        self.fields["responsible"].error_messages["invalid_choice"] = _("请从列表中选择责任人。")

    def clean_responsible(self) -> Any:
        return self.people[self.cleaned_data["responsible"]]


class DoneForm(forms.Form):
    note = forms.CharField(
        label=_("完成情况"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("做了什么、成效如何")}),
        error_messages={"required": _("请填写完成情况。")},
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("整改进展"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("记录本次整改进展")}),
        error_messages={"required": _("请填写进展情况。")},
    )


class TransitionForm(forms.Form):
    note = forms.CharField(label=_("说明"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, label: str = "", required: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["note"]
        field.label, field.required = label or field.label, required
        field.error_messages["required"] = _("请填写%(what)s。") % {"what": label}
