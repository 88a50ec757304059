from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dangjian.core.validators import CENTURY_DAYS, DECADE_DAYS, YEAR_DAYS, date_within
from dangjian.core.widgets import DateInput

from .selectors import unit_kind_choices

NUMERIC = {"inputmode": "numeric", "autocomplete": "off"}


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: on the field it names, else on the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class CountField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 1_000_000)
        kwargs.setdefault("initial", 0)
        kwargs.setdefault("widget", forms.TextInput(attrs=NUMERIC))
        super().__init__(**kwargs)


class UnitForm(forms.Form):
    name = forms.CharField(label=_("单位名称"), max_length=150)
    kind = forms.ChoiceField(label=_("单位类型"))
    credit_code = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=18,
        required=False,
        help_text=_("18 位，不含 I、O、S、V、Z；系统会核对校验位。没有代码的（如部分业委会）可不填。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "style": "text-transform:uppercase"}),
    )
    community = forms.ModelChoiceField(label=_("所在社区"), queryset=None, empty_label="——")
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    staff_count = CountField(label=_("从业人员数"))
    member_count = CountField(label=_("党员人数"), help_text=_("单位填报的党员人数（含组织关系不在本单位的）。"))

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        # The district's own unit kinds, else the defaults (UnitKindOption).
        path = communities.order_by("path").values_list("path", flat=True).first()
        self.fields["kind"].choices = [("", "——"), *unit_kind_choices(path)]


class FormationForm(forms.Form):
    party_org = forms.ModelChoiceField(
        label=_("所属党组织"),
        queryset=None,
        required=False,
        empty_label=_("未组建（无党组织）"),
        help_text=_(
            "本单位自己的党组织为单独组建；覆盖本社区的联合党支部（业委会、物业可选本社区的小区党支部）为联合组建。"
        ),
    )
    instructor = forms.CharField(
        label=_("党建指导员"),
        max_length=50,
        required=False,
        help_text=_("尚未组建党组织的单位，选派党建指导员即实现工作覆盖。"),
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["party_org"]
        field.queryset = candidates
        field.label_from_instance = lambda org: f"{org.name}（{org.get_org_type_display()}）"


class OwnBranchForm(forms.Form):
    parent = forms.ModelChoiceField(label=_("上级党组织"), queryset=None, empty_label="——")
    name = forms.CharField(
        label=_("支部名称"), max_length=150, required=False, help_text=_("不填则为「单位名称+党支部」。")
    )
    secretary = forms.CharField(label=_("书记"), max_length=50, required=False)

    def __init__(self, *args, parents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents


class RuleForm(forms.Form):
    min_members_for_single = forms.IntegerField(
        label=_("单独组建所需党员数"),
        min_value=1,
        max_value=50,
        widget=forms.TextInput(attrs=NUMERIC),
        help_text=_("有这么多名以上党员的单位，应单独组建党组织（默认 3）。"),
    )
    min_staff_social_org = forms.IntegerField(
        label=_("应覆盖社会组织的从业人员数"),
        min_value=1,
        max_value=10_000,
        widget=forms.TextInput(attrs=NUMERIC),
        help_text=_("从业人员达到这个数的社会组织，应实现党组织覆盖（默认 30）。"),
    )


class AdjunctForm(forms.Form):
    """One of unit, department or office says where the adjunct member comes from (the service checks it)."""

    unit = forms.ModelChoiceField(label=_("来自驻区单位"), queryset=None, required=False, empty_label="——")
    department = forms.ModelChoiceField(label=_("或来自职能部门"), queryset=None, required=False, empty_label="——")
    office = forms.CharField(
        label=_("或来自街道（镇）机关"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("如：拱北街道办事处 党建办")}),
    )
    name = forms.CharField(label=_("姓名"), max_length=50)
    post = forms.CharField(label=_("职务"), max_length=100, required=False)
    since = forms.DateField(
        label=_("任职日期"),
        required=False,
        widget=DateInput(),
        validators=[date_within(past=DECADE_DAYS, future=YEAR_DAYS)],
    )

    def __init__(self, *args, units, departments, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        field.queryset = units
        field.label_from_instance = lambda u: f"{u.name}（{u.community.name}）"
        self.fields["department"].queryset = departments
        self.fields["department"].label_from_instance = lambda d: f"{d.name}（{d.area.name}）"


class AllianceForm(forms.Form):
    name = forms.CharField(label=_("联盟名称"), max_length=150)
    area = forms.ModelChoiceField(label=_("所在属地"), queryset=None, empty_label="——")
    lead_org = forms.ModelChoiceField(label=_("牵头党组织"), queryset=None, empty_label="——")
    founded_on = forms.DateField(
        label=_("成立日期"), required=False, widget=DateInput(), validators=[date_within(past=CENTURY_DAYS, future=0)]
    )

    def __init__(self, *args, areas, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas
        self.fields["area"].label_from_instance = lambda a: f"{a.name}（{a.get_level_display()}）"
        self.fields["lead_org"].queryset = orgs


class MembershipForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("成员单位"), queryset=None, empty_label="——")
    joined_on = forms.DateField(
        label=_("加入日期"),
        required=False,
        widget=DateInput(),
        validators=[date_within(past=CENTURY_DAYS, future=YEAR_DAYS)],
    )
    covenant = forms.CharField(
        label=_("共建约定"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("契约化共建：本单位承诺提供的资源、服务或项目。"),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        field.queryset = units
        field.label_from_instance = lambda u: f"{u.name}（{u.community.name}）"
