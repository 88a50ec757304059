"""Forms of the people pages. Choices are limited to what the signed-in user may see, and are
identified by public id; the services do the checking that matters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.validators import CENTURY_DAYS, DECADE_DAYS, YEAR_DAYS, date_within
from dangjian.core.widgets import DateInput
from dangjian.territory.models import Building, Estate, Level
from dangjian.units.models import ResidentUnit

from . import selectors
from .models import ACTIVE_STATUSES, LiaisonLevel, MemberCategory, MemberStatus, ResidentTag
from .services.members import MANAGED_STATUSES, STATUS_TRANSITIONS


class OrgChoiceField(forms.ModelChoiceField):
    """Organizations in tree order, indented by depth so the hierarchy reads in a plain select."""

    def label_from_instance(self, obj: Any) -> str:
        return "\u3000" * max(obj.depth - 1, 0) + obj.name


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.get_level_display()}）" if obj.level == Level.GRID else obj.name


class EstateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.community.name} · {obj.name}"


def _public_id_field(field_class: type, queryset: Any, **kwargs: Any) -> forms.ModelChoiceField:
    return field_class(queryset=queryset, to_field_name="public_id", required=False, **kwargs)


class MemberForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(
        label=_("身份证号"),
        max_length=18,
        required=False,
        help_text=_("18 位，校验后自动识别出生日期和性别。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    mobile = forms.CharField(
        label=_("手机号"), max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    category = forms.ChoiceField(label=_("党员类别"), choices=MemberCategory.choices)
    joined_on = forms.DateField(
        label=_("入党日期"), required=False, widget=DateInput(), validators=[date_within(past=CENTURY_DAYS, future=0)]
    )
    confirmed_on = forms.DateField(
        label=_("转正日期"),
        required=False,
        widget=DateInput(),
        help_text=_("预备党员不填。"),
        validators=[date_within(past=CENTURY_DAYS, future=0)],
    )
    status = forms.ChoiceField(
        label=_("状态"), choices=[(s, MemberStatus(s).label) for s in ACTIVE_STATUSES], initial=MemberStatus.IN_SERVICE
    )
    org = OrgChoiceField(
        queryset=None,
        to_field_name="public_id",
        required=False,
        label=_("所在党组织"),
        help_text=_("组织关系所在的党组织；口袋党员组织关系不明时可不选。"),
    )
    workplace = forms.ModelChoiceField(
        queryset=None, to_field_name="public_id", required=False, label=_("工作单位（驻区单位）")
    )
    home_community = forms.ModelChoiceField(
        queryset=None, to_field_name="public_id", required=False, label=_("居住社区")
    )
    home_estate = forms.ModelChoiceField(queryset=None, to_field_name="public_id", required=False, label=_("居住小区"))
    home_building = forms.ModelChoiceField(
        queryset=None, to_field_name="public_id", required=False, label=_("居住楼栋")
    )

    def __init__(self, *args: Any, user: Any, creating: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["workplace"].queryset = ResidentUnit.objects.visible_to(user).only("public_id", "name")
        self.fields["home_community"].queryset = selectors.communities_for(user)
        if creating:
            self.fields["org"].queryset = selectors.member_orgs_for(user)
        else:  # the organization changes by a transfer, the status by its workflow
            del self.fields["org"]
            del self.fields["status"]
        # Estates and buildings of the chosen community only (the page reloads them when it changes).
        community = self._chosen("home_community")
        estates = Estate.objects.visible_to(user).filter(community=community) if community else Estate.objects.none()
        self.fields["home_estate"].queryset = estates.only("public_id", "name").order_by("name")
        estate = self._chosen("home_estate")
        buildings = Building.objects.visible_to(user).filter(estate=estate) if estate else Building.objects.none()
        self.fields["home_building"].queryset = buildings.only("public_id", "name").order_by("name")

    def _chosen(self, name: str) -> Any:
        """The object picked for `name`, from submitted data or from the initial values."""
        field = self.fields[name]
        value = self.data.get(self.add_prefix(name)) if self.is_bound else self.initial.get(name)
        if value in (None, ""):
            return None
        if hasattr(value, "pk"):
            return value
        try:
            return field.queryset.get(public_id=value)
        except (ObjectDoesNotExist, ValidationError, ValueError, TypeError):  # unknown or malformed id
            return None


class MemberTransferForm(forms.Form):
    to_org = OrgChoiceField(queryset=None, to_field_name="public_id", label=_("转入党组织"))
    reason = forms.CharField(
        label=_("转接原因"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("例如：搬迁至新小区、工作调动")}),
    )

    def __init__(self, *args: Any, user: Any, member: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        orgs = selectors.member_orgs_for(user)
        if member.org_id:
            orgs = orgs.exclude(pk=member.org_id)
        self.fields["to_org"].queryset = orgs


class MemberStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("新状态"))
    note = forms.CharField(
        label=_("说明"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("例如：外出务工（广东深圳），每月电话联系")}),
    )

    def __init__(self, *args: Any, member: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        allowed = STATUS_TRANSITIONS[member.status]
        self.fields["status"].choices = [(s, MemberStatus(s).label) for s in MemberStatus.values if s in allowed]


class BringUnderManagementForm(forms.Form):
    status = forms.ChoiceField(
        label=_("纳入管理后的状态"), choices=[(s, MemberStatus(s).label) for s in MANAGED_STATUSES]
    )
    org = OrgChoiceField(
        queryset=None,
        to_field_name="public_id",
        required=False,
        label=_("接收的党组织"),
        help_text=_("不选则留在当前所在党组织。"),
    )
    note = forms.CharField(
        label=_("说明"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("例如：已回到本社区居住，组织关系转入小区党支部")}),
    )

    def __init__(self, *args: Any, user: Any, member: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = selectors.member_orgs_for(user)
        if member.org_id is None:
            self.fields["org"].required = True
            self.fields["org"].help_text = _("该党员组织关系不明，请选择接收的党组织。")


class HouseholdForm(forms.Form):
    room = forms.CharField(
        label=_("门牌/房号"), max_length=30, widget=forms.TextInput(attrs={"placeholder": _("例如：301")})
    )


class ResidentForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    mobile = forms.CharField(
        label=_("电话"),
        max_length=20,
        required=False,
        help_text=_("手机号或带区号的固定电话。"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "type": "tel", "autocomplete": "off"}),
    )
    tags = forms.MultipleChoiceField(
        label=_("标签"), choices=ResidentTag.choices, required=False, widget=forms.CheckboxSelectMultiple
    )


class MemberAccountCreateForm(forms.Form):
    username = forms.CharField(
        label=_("用户名"),
        max_length=30,
        help_text=_("3–30 位字母、数字或 _ . @ + - 符号，例如拼音加数字（wangjg01）。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}),
    )
    use_member_mobile = forms.BooleanField(label=_("使用党员登记的手机号"), required=False)
    mobile = forms.CharField(
        label=_("手机号"),
        max_length=20,
        required=False,
        help_text=_("可用手机号登录；不填则只能用用户名登录。"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "type": "tel", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, member: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if member.mobile:
            self.fields["use_member_mobile"].label = _("使用党员登记的手机号（%(m)s）") % {"m": member.masked_mobile}
            self.fields["use_member_mobile"].initial = True
        else:
            del self.fields["use_member_mobile"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("use_member_mobile") and data.get("mobile"):
            self.add_error("mobile", _("已选择使用党员登记的手机号，此处请留空。"))
        return data


class AccountField(forms.CharField):
    """An account typed as its username or mobile number: resolved to one active account, or an error."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("max_length", 150)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        from dangjian.accounts.models import User

        value = super().clean(value).strip()
        if not value:
            return None
        user = (
            User.objects.filter(Q(username__iexact=value) | Q(mobile=value), is_active=True, is_superuser=False)
            .order_by("pk")
            .first()
        )
        if user is None:
            raise ValidationError(_("没有找到用户名或手机号为「%(v)s」的账号。") % {"v": value})
        return user


class LiaisonForm(forms.Form):
    leader_name = forms.CharField(label=_("领导姓名"), max_length=50)
    post = forms.CharField(
        label=_("职务"), max_length=100, widget=forms.TextInput(attrs={"placeholder": _("例如：区委常委、组织部部长")})
    )
    level = forms.ChoiceField(label=_("层级"), choices=LiaisonLevel.choices)
    area = AreaChoiceField(queryset=None, to_field_name="public_id", required=False, label=_("包联社区/网格"))
    estate = EstateChoiceField(queryset=None, to_field_name="public_id", required=False, label=_("或包联小区"))
    since = forms.DateField(
        label=_("起始日期"),
        required=False,
        widget=DateInput(),
        validators=[date_within(past=DECADE_DAYS, future=YEAR_DAYS)],
    )
    account = AccountField(
        label=_("领导的登录账号（选填）"),
        help_text=_("填写用户名或手机号，也可输入姓名搜索；关联后，该领导登录即可看到自己的包联。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        areas, estates = selectors.liaison_targets_for(user)
        self.fields["area"].queryset = areas
        self.fields["estate"].queryset = estates

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if bool(data.get("area")) == bool(data.get("estate")):
            self.add_error("area", _("请选择一个包联对象：社区、网格或小区（只选一个）。"))
        return data


class LiaisonAccountForm(forms.Form):
    account = AccountField(
        label=_("领导的登录账号"),
        help_text=_("填写用户名或手机号，也可输入姓名搜索；留空则取消关联。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}),
    )


def form_errors_from(form: forms.Form, exc: Any) -> None:
    """Put a service's ValidationError on the form: on its field when the form has it, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
