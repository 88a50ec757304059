from captcha.fields import CaptchaField
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dangjian.core.validators import validate_mobile


class MobileForm(forms.Form):
    """The first step: the mobile number, and the picture captcha once requests have piled up."""

    mobile = forms.CharField(label=_("手机号"), max_length=20)

    def __init__(self, *args, captcha: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if captcha:
            self.fields["captcha"] = CaptchaField(
                label=_("图片验证码"),
                error_messages={
                    "required": _("请输入图片中的字符。"),
                    "invalid": _("图片验证码不正确，请看清后重新输入。"),
                },
            )

    def clean_mobile(self):
        return validate_mobile(self.cleaned_data["mobile"])


class CodeForm(forms.Form):
    code = forms.CharField(label=_("短信验证码"), max_length=6, min_length=6)

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise ValidationError(_("验证码为 6 位数字。"))
        return code


class NewPasswordForm(forms.Form):
    password = forms.CharField(label=_("设置密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(
        label=_("再次输入密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致。"))
        return data
