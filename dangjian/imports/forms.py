from django import forms
from django.utils.translation import gettext_lazy as _

from . import registry
from .conf import setting
from .models import ImportMode


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("导入类型"), choices=())
    mode = forms.ChoiceField(
        label=_("导入方式"),
        choices=ImportMode.choices,
        initial=ImportMode.CREATE,
        required=False,  # 新增 unless asked
        widget=forms.RadioSelect,
        help_text=_("更新：用本系统导出的表修改后导回，按“记录编号”或身份证号找到原记录；带 * 的隐去内容保持不变。"),
    )
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))

    def __init__(self, *args, kinds: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [(k, registry.label(k)) for k in kinds]
        self.fields["file"].widget.attrs["accept"] = (
            ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if name.endswith(".xls"):
            raise forms.ValidationError(_("这是旧版 Excel（.xls）文件，请在 Excel 中“另存为”.xlsx 格式后再上传。"))
        if not name.endswith(".xlsx"):
            raise forms.ValidationError(_("请上传 Excel 工作簿（.xlsx）。"))
        limit = setting("IMPORT_MAX_BYTES")
        if upload.size > limit:
            raise forms.ValidationError(
                _("文件过大（上限 %(n)s MB），请拆分后分批导入。") % {"n": limit // (1024 * 1024)}
            )
        return upload
