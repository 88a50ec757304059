"""Forms of the time-bank pages. Each carries a key made when the form is first shown, so a double
submission (or a reload of the confirmation) writes one journal."""

import uuid

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .services import clean_hours


class _MovementForm(forms.Form):
    mobile = forms.CharField(
        label=gettext_lazy("对方手机号"),
        max_length=11,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    hours = forms.CharField(
        label=gettext_lazy("时数（小时）"), max_length=8, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    memo = forms.CharField(label=gettext_lazy("附言"), max_length=100, required=False)
    key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("key", uuid.uuid4().hex)

    def clean_hours(self):
        return clean_hours(self.cleaned_data["hours"])

    def clean_mobile(self):
        mobile = self.cleaned_data["mobile"].strip()
        user = get_user_model().objects.filter(mobile=mobile, is_active=True).first()
        if user is None:
            raise ValidationError(_("没有找到使用该手机号的账号。"))
        self.recipient = user
        return mobile


class TransferForm(_MovementForm):
    def __init__(self, *args, sender=None, **kwargs):
        self.sender = sender
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        recipient = getattr(self, "recipient", None)
        if recipient is not None and self.sender is not None and recipient.pk == self.sender.pk:
            self.add_error("mobile", _("不能转给自己。"))
        return data


class GrantForm(_MovementForm):
    memo = forms.CharField(label=gettext_lazy("发放事由"), max_length=100)


class CorrectionForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("冲正原因"), max_length=150, widget=forms.Textarea(attrs={"rows": 2}))
