from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.accounts.phone.forms import NewPasswordForm
from dangjian.territory.models import Area, Level


class CommunityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        return f"{obj.parent.name} · {obj.name}" if obj.parent_id else obj.name


class SignupForm(NewPasswordForm):
    """Who the resident is and where they live. Exactly how they are placed is the service's rule."""

    full_name = forms.CharField(
        label=_("姓名"),
        max_length=50,
        error_messages={"required": _("请填写姓名。"), "max_length": _("姓名请控制在 50 字以内。")},
    )
    community = CommunityChoiceField(
        label=_("所在社区"),
        queryset=Area.objects.filter(level=Level.COMMUNITY).select_related("parent").order_by("path"),
        required=False,
        empty_label=_("请选择社区"),
    )
    estate = forms.CharField(label=_("所住小区"), max_length=100, required=False)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)

    field_order = ["full_name", "password", "password2", "community", "estate"]
