from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dangjian.core.validators import validate_citizen_id, validate_credit_code, validate_mobile
from dangjian.core.widgets import DateInput

from .models import CommunityDocument, RegistrationKind


class SkillsMixin:
    """Service intentions as checkboxes; the options are data (ServiceIntention), passed in by the view."""

    def _add_skills(self, options: list[str]) -> None:
        self.fields["skills"] = forms.MultipleChoiceField(  # type: ignore[attr-defined]
            label=_("特长与服务意向（可多选）"),
            required=False,
            choices=[(o, o) for o in options],
            widget=forms.CheckboxSelectMultiple(attrs={"class": "choice"}),
        )


def _mobile(value: str) -> str:
    return validate_mobile(value)


class MemberPublicForm(SkillsMixin, forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    id_number = forms.CharField(
        label=_("身份证号"),
        max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    mobile = forms.CharField(
        label=_("手机号"), max_length=20, widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})
    )
    note = forms.CharField(label=_("备注（选填）"), max_length=300, required=False)

    def __init__(self, *args, skills: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self._add_skills(skills)
        self.order_fields(["name", "id_number", "mobile", "skills", "note"])

    def clean_id_number(self) -> str:
        return validate_citizen_id(self.cleaned_data["id_number"])

    def clean_mobile(self) -> str:
        return _mobile(self.cleaned_data["mobile"])


class UnitPublicForm(SkillsMixin, forms.Form):
    credit_code = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    unit_name = forms.CharField(label=_("单位名称（或单位党组织名称）"), max_length=150)
    contact_name = forms.CharField(label=_("联系人"), max_length=50)
    contact_mobile = forms.CharField(
        label=_("联系电话"), max_length=20, widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})
    )
    note = forms.CharField(label=_("备注（选填）"), max_length=300, required=False)

    def __init__(self, *args, skills: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self._add_skills(skills)
        self.fields["skills"].label = _("可提供的服务（可多选）")
        self.order_fields(["credit_code", "unit_name", "contact_name", "contact_mobile", "skills", "note"])

    def clean_credit_code(self) -> str:
        return validate_credit_code(self.cleaned_data["credit_code"])

    def clean_contact_mobile(self) -> str:
        return _mobile(self.cleaned_data["contact_mobile"])


class LookupForm(forms.Form):
    """查询报到进度: the same two details as the registration form, nothing else."""

    kind = forms.ChoiceField(
        label=_("类型"), choices=RegistrationKind.choices, initial=RegistrationKind.MEMBER, widget=forms.RadioSelect
    )
    identifier = forms.CharField(label=_("身份证号 / 统一社会信用代码"), max_length=18)
    name = forms.CharField(label=_("姓名 / 单位名称"), max_length=150)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            if data["kind"] == RegistrationKind.MEMBER:
                data["identifier"] = validate_citizen_id(data["identifier"])
            else:
                data["identifier"] = validate_credit_code(data["identifier"])
        except ValidationError as exc:
            self.add_error("identifier", exc)
        return data


class AccountMemberForm(SkillsMixin, forms.Form):
    """A signed-in member registers without typing their ID number."""

    mobile = forms.CharField(
        label=_("手机号"), max_length=20, widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})
    )
    note = forms.CharField(label=_("备注（选填）"), max_length=300, required=False)

    def __init__(self, *args, skills: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self._add_skills(skills)
        self.order_fields(["mobile", "skills", "note"])

    def clean_mobile(self) -> str:
        return _mobile(self.cleaned_data["mobile"])


class AccountUnitForm(SkillsMixin, forms.Form):
    contact_name = forms.CharField(label=_("联系人"), max_length=50)
    contact_mobile = forms.CharField(
        label=_("联系电话"), max_length=20, widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})
    )
    note = forms.CharField(label=_("备注（选填）"), max_length=300, required=False)

    def __init__(self, *args, skills: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self._add_skills(skills)
        self.fields["skills"].label = _("可提供的服务（可多选）")
        self.order_fields(["contact_name", "contact_mobile", "skills", "note"])

    def clean_contact_mobile(self) -> str:
        return _mobile(self.cleaned_data["contact_mobile"])


class DocumentForm(forms.ModelForm):
    link = forms.URLField(label=_("链接"), required=False, assume_scheme="https")

    class Meta:
        model = CommunityDocument
        fields = ["title", "published_on", "link", "body"]
        widgets = {
            "published_on": DateInput(),
            "body": forms.Textarea(attrs={"rows": 6}),
        }
