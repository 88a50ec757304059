from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.accounts.roles import active_assignment
from dangjian.territory.models import Area, Level


class ApiClientForm(forms.Form):
    name = forms.CharField(
        label=_("客户端名称"),
        max_length=100,
        help_text=_("如「市民热线平台」「随手拍小程序」，便于日后识别和停用"),
        widget=forms.TextInput(attrs={"placeholder": _("例如：12345 热线对接")}),
    )
    staff_grant = forms.BooleanField(
        label=_("完整读取（仅限本区政务系统）"),
        required=False,
        help_text=_(
            "不勾选时，用此密钥查询与匿名查询相同：描述中的电话、身份证号已隐去，坐标约精确到 100 米，"
            "不公开的反映不列出。勾选后可读取本区事件的完整描述、精确坐标和不公开的反映，每次读取都记入审计日志。"
        ),
    )
    # Only for an account that is not bound to one district (a superuser): the key's district.
    district = forms.ModelChoiceField(label=_("所属区"), queryset=Area.objects.none(), required=False)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assignment = active_assignment(user) if user is not None else None
        bound = assignment is not None and assignment.area is not None and assignment.area.level == Level.DISTRICT
        if bound:
            del self.fields["district"]
        else:
            self.fields["district"].queryset = Area.objects.filter(level=Level.DISTRICT).order_by("path")
            self.fields["district"].required = True
