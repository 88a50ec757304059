from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.accounts.models import RoleAssignment


class RoleChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: RoleAssignment) -> str:
        place = obj.area or obj.department or obj.unit or obj.org or obj.home_community
        return f"{obj.get_role_display()} · {place}" if place else str(obj.get_role_display())


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("名称"),
        max_length=60,
        help_text=_("写明用在哪里，如“12345 热线对接”，方便日后辨认和作废。"),
    )
    role = RoleChoice(label=_("以哪个身份访问"), queryset=RoleAssignment.objects.none(), empty_label=None)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = (
            RoleAssignment.objects.filter(user=user, is_active=True)
            .select_related("area", "department", "unit", "org", "home_community")
            .order_by("pk")
        )
