from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import prefix_q
from dangjian.core.widgets import DateTimeInput
from dangjian.duties.models import DownTask, TaskStatus
from dangjian.territory.models import Area

from .attachments import MAX_BYTES, MAX_COUNT, AttachmentsField
from .models import Audience

LEVELS = ("district", "subdistrict", "community")


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        return f"{obj.name}（{obj.get_level_display()}）"


class NoticeForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=120)
    body = forms.CharField(label=_("正文"), max_length=20000, widget=forms.Textarea(attrs={"rows": 8}))
    audience = forms.ChoiceField(label=_("接收人"), choices=Audience.choices)
    audience_area = AreaChoiceField(label=_("接收范围"), queryset=Area.objects.none(), empty_label=None)
    is_public = forms.BooleanField(label=_("同时向居民公开（显示在居民首页和“找党群服务中心”）"), required=False)
    receipt_deadline = forms.DateTimeField(
        label=_("签收截止时间（选填）"),
        required=False,
        widget=DateTimeInput(),
    )
    carries_task = forms.BooleanField(
        label=_("本通知布置需社区落实的工作"),
        required=False,
        help_text=_("发给社区工作者的工作须先经「清单与准入」引用清单事项或准入后下派，再在此关联该任务。"),
    )
    task = forms.ModelChoiceField(label=_("所附下派任务"), queryset=DownTask.objects.none(), required=False)
    attachments = AttachmentsField(
        label=_("附件（选填）"),
        help_text=_("PDF、Word（.docx）、Excel（.xlsx）、JPEG 或 PNG，最多 %(n)s 个，每个不超过 %(mb)s MB。")
        % {"n": MAX_COUNT, "mb": MAX_BYTES // (1024 * 1024)},
    )

    def __init__(self, *args: Any, issuer: Area, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The scope picker: the issuer's own node and the nodes under it its audiences make sense at.
        field: Any = self.fields["audience_area"]
        field.queryset = Area.objects.filter(prefix_q("path", issuer.path), level__in=LEVELS).order_by("path")
        field.initial = issuer.pk
        # The tasks sent down from the issuer's node or below, newest first.
        task: Any = self.fields["task"]
        task.queryset = DownTask.objects.filter(prefix_q("area_path", issuer.path), status=TaskStatus.SENT).order_by(
            "-sent_at", "-pk"
        )
        if issuer.level == "community":
            # A community's own workers are its issuers: it notifies its members and branches.
            audience: Any = self.fields["audience"]
            audience.choices = [c for c in Audience.choices if c[0] != Audience.COMMUNITY_WORKERS]
            self.fields["audience"].initial = Audience.REGISTERED_MEMBERS


class WithdrawForm(forms.Form):
    note = forms.CharField(label=_("撤回原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))
