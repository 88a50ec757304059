from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.validators import YEAR_DAYS, date_within
from dangjian.core.widgets import DateInput


class ManualAwardForm(forms.Form):
    rule = forms.ChoiceField(label=_("积分规则"))
    quantity = forms.DecimalField(
        label=_("数量"), min_value=Decimal("0.5"), max_value=Decimal(100), decimal_places=1, initial=Decimal(1)
    )
    occurred_on = forms.DateField(
        label=_("发生日期"), widget=DateInput(), validators=[date_within(past=YEAR_DAYS, future=0)]
    )
    reason = forms.CharField(
        label=_("记分事由（党员本人可以看到）"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请填写记分事由（党员本人可以看到）。")},
    )
    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, rules=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [
            (r.code, f"{r.category.name} · {r.name}（{r.points:g} 分/{r.per}）") for r in rules
        ]
        self.fields["occurred_on"].initial = timezone.localdate()

    def clean_occurred_on(self):
        value = self.cleaned_data["occurred_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("发生日期不能晚于今天。"))
        return value


class RuleEditForm(forms.Form):
    points = forms.DecimalField(label=_("分值"), max_digits=7, decimal_places=2, min_value=-9999, max_value=9999)
    is_active = forms.BooleanField(label=_("启用"), required=False)
