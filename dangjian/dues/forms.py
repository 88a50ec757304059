"""Forms of the dues pages: a pay base, a payment (by the branch or the member), a remittance."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Channel, PayCategory

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


class MonthField(forms.CharField):
    """A month as YYYY-MM (the month input of phones and desktops), cleaned to its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-01"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        m = MONTH_RE.match(value.strip())
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise forms.ValidationError(_("月份格式应为 年-月，如 2026-03。"))
        return datetime.date(int(m.group(1)), int(m.group(2)), 1)


class PayBaseForm(forms.Form):
    category = forms.ChoiceField(label=_("交纳类别"), choices=PayCategory.choices)
    monthly_pay = forms.DecimalField(
        label=_("税后月收入（元）"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_("在职按月工资收入中相对固定、经常性的部分（税后）；离退休按实际领取的离退休费或养老金。"),
    )
    chosen_amount = forms.DecimalField(
        label=_("月交纳额（元，农民党员 0.2—1 元）"), required=False, min_value=0, max_digits=6, decimal_places=2
    )
    effective_month = MonthField(label=_("起算月份"), help_text=_("从按新收入领取的当月起计算。"))


class PaymentForm(forms.Form):
    amount = forms.DecimalField(label=_("交纳金额（元）"), min_value=0, max_digits=12, decimal_places=2)
    extra = forms.DecimalField(label=_("自愿多交（元）"), required=False, min_value=0, max_digits=12, decimal_places=2)
    channel = forms.ChoiceField(label=_("交纳方式"), choices=Channel.choices, initial=Channel.CASH)
    external_ref = forms.CharField(label=_("交易单号（选填）"), required=False, max_length=64)


class PayMineForm(forms.Form):
    extra = forms.DecimalField(
        label=_("自愿多交（元，选填）"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    channel = forms.ChoiceField(
        label=_("交纳方式"),
        choices=[
            (Channel.WECHAT, Channel.WECHAT.label),
            (Channel.ALIPAY, Channel.ALIPAY.label),
            (Channel.TRANSFER, Channel.TRANSFER.label),
        ],
        initial=Channel.WECHAT,
    )
    external_ref = forms.CharField(label=_("交易单号（选填）"), required=False, max_length=64)


class RemitForm(forms.Form):
    amount = forms.DecimalField(label=_("上缴金额（元）"), min_value=0, max_digits=12, decimal_places=2)
    note = forms.CharField(label=_("说明"), required=False, max_length=200)
    confirmed = forms.BooleanField(label=_("我已核对金额，确认上缴"), required=True)


class CollectForm(forms.Form):
    """集中收缴: the months ticked on the sheet were paid in full, in one go."""

    dues = forms.MultipleChoiceField(label=_("党员"), error_messages={"required": _("请勾选要登记的党员。")})
    channel = forms.ChoiceField(label=_("交纳方式"), choices=Channel.choices, initial=Channel.CASH)
    confirmed = forms.BooleanField(
        label=_("我已收齐所勾选党员应交的党费"), error_messages={"required": _("请勾选确认已收齐党费。")}
    )

    def __init__(self, *args, choices: list[str], **kwargs):
        kwargs.setdefault("auto_id", "collect_%s")  # the sheet's remit form has a channel and a confirmation too
        super().__init__(*args, **kwargs)
        self.fields["dues"].choices = [(c, c) for c in choices]
