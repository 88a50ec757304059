"""Forms of 经费管理: allocation entry, a payment from a commitment, a fund kind's rule."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.core.tree import subtree_q
from dangjian.territory.models import Area

from .models import FundKind, Level

MAX_VOUCHER_BYTES = 10 * 1024 * 1024
VOUCHER_EXTS = ("pdf", "jpg", "jpeg", "png", "webp")


class AllocationForm(forms.Form):
    area = forms.ModelChoiceField(label=_("拨付对象"), queryset=Area.objects.none(), to_field_name="public_id")
    kind = forms.ChoiceField(label=_("经费类别"))
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    amount = forms.DecimalField(label=_("金额（元）"), min_value=Decimal("0.01"), max_digits=14, decimal_places=2)
    memo = forms.CharField(label=_("摘要"), max_length=200, required=False)

    def __init__(self, *args, district: Area, kinds: list[FundKind], **kwargs):
        super().__init__(*args, **kwargs)
        areas = Area.objects.filter(subtree_q("path", district.path), level__in=[Level.COMMUNITY, Level.SUBDISTRICT])
        self.fields["area"].queryset = areas.order_by("path")
        self.fields["area"].label_from_instance = lambda a: f"{a.get_level_display()} · {a.name}"
        self.fields["kind"].choices = [(k.code, f"{k.name}（{k.get_level_display()}）") for k in kinds if k.active]


class PaymentForm(forms.Form):
    amount = forms.DecimalField(label=_("金额（元）"), min_value=Decimal("0.01"), max_digits=14, decimal_places=2)
    payee = forms.CharField(label=_("收款方"), max_length=100)
    memo = forms.CharField(label=_("摘要"), max_length=200)
    voucher = forms.FileField(label=_("凭证（发票、收据，PDF 或图片）"), required=False)

    def clean_voucher(self):
        voucher = self.cleaned_data.get("voucher")
        if voucher is None:
            return None
        name = (voucher.name or "").lower()
        if not name.endswith(VOUCHER_EXTS):
            raise forms.ValidationError(_("凭证只能是 PDF 或图片。"))
        if voucher.size > MAX_VOUCHER_BYTES:
            raise forms.ValidationError(_("凭证不能超过 10 MB。"))
        head = voucher.read(12)
        voucher.seek(0)
        if not (head.startswith((b"%PDF", b"\xff\xd8\xff", b"\x89PNG")) or head[8:12] == b"WEBP"):
            raise forms.ValidationError(_("凭证文件内容不是 PDF 或图片。"))
        return voucher


class FundKindForm(forms.ModelForm):
    class Meta:
        model = FundKind
        fields = [
            "name",
            "level",
            "rule",
            "fixed_amount",
            "per_unit_min",
            "per_unit_max",
            "total_min",
            "total_max",
            "active",
            "note",
        ]

    def clean(self):
        data = super().clean()
        for low, high in (("per_unit_min", "per_unit_max"), ("total_min", "total_max")):
            if data.get(high) and (data.get(low) or 0) > data[high]:
                self.add_error(high, _("上限不能小于下限。"))
        return data
