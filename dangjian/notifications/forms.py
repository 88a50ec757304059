from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.core.widgets import TimeInput

from .kinds import kinds


class PreferenceForm(forms.Form):
    """What a person hears: kinds they receive (the rest muted), outside channels, quiet hours."""

    receive = forms.MultipleChoiceField(
        label=_("接收以下类型的消息"), required=False, widget=forms.CheckboxSelectMultiple
    )
    sms = forms.BooleanField(label=_("短信提醒"), required=False)
    wechat = forms.BooleanField(label=_("微信提醒"), required=False)
    quiet_start = forms.TimeField(
        label=_("免打扰开始"),
        required=False,
        widget=TimeInput(),
        error_messages={"invalid": _("请输入正确的时间，如 22:00。")},
    )
    quiet_end = forms.TimeField(
        label=_("免打扰结束"),
        required=False,
        widget=TimeInput(),
        error_messages={"invalid": _("请输入正确的时间，如 07:00。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = kinds()
        self.fields["receive"].choices = list(self.kinds.items())

    @classmethod
    def initial_for(cls, pref) -> dict:
        return {
            "receive": [k for k in kinds() if k not in set(pref.muted or ())],
            "sms": pref.sms,
            "wechat": pref.wechat,
            "quiet_start": pref.quiet_start,
            "quiet_end": pref.quiet_end,
        }

    def clean(self):
        data = super().clean()
        start, end = data.get("quiet_start"), data.get("quiet_end")
        if (start is None) != (end is None) and not self.errors:
            self.add_error("quiet_end", _("免打扰时段需同时填写开始和结束时间。"))
        elif start is not None and start == end:
            self.add_error("quiet_end", _("免打扰的开始和结束时间不能相同。"))
        return data

    def muted(self, previous: list[str]) -> list[str]:
        """Kinds unticked here, plus event keys muted elsewhere (kept as they were)."""
        receive = set(self.cleaned_data["receive"])
        kept = [m for m in previous or () if m not in self.kinds]
        return sorted({*kept, *(k for k in self.kinds if k not in receive)})
