"""Forms of org life: planning a meeting (phone first), uploading files, the district's guidance."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.centers.models import Activity
from dangjian.core.tree import STEP
from dangjian.core.widgets import DateInput, TimeInput
from dangjian.orgs.models import OrgOfficer, PartyOrg

from .models import FileKind, Guidance, Kind, MeetingRule

LINK_WINDOW_DAYS = 60


class PlanForm(forms.Form):
    kind = forms.ChoiceField(label=_("会议类型"))
    topic = forms.CharField(label=_("会议主题"), max_length=200)
    day = forms.DateField(label=_("日期"), widget=DateInput())
    time = forms.TimeField(label=_("时间"), widget=TimeInput(), initial=datetime.time(9, 0))
    place = forms.CharField(label=_("地点"), max_length=120)
    chair = forms.ModelChoiceField(label=_("主持人"), queryset=get_user_model().objects.none(), required=False)
    recorder = forms.ModelChoiceField(label=_("记录人"), queryset=get_user_model().objects.none(), required=False)
    guidance = forms.ModelChoiceField(label=_("落实的重点动作指引"), queryset=Guidance.objects.none(), required=False)
    activity = forms.ModelChoiceField(label=_("关联服务活动"), queryset=Activity.objects.none(), required=False)
    visit = forms.CharField(label=_("主题党日参观地点"), max_length=150, required=False)
    send_notice = forms.BooleanField(label=_("立即向参会人员发出会议通知"), required=False, initial=True)

    def __init__(self, *args: Any, org: PartyOrg, rules: dict[str, MeetingRule], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, Kind(k).label) for k, r in rules.items() if r.is_active]
        officers = OrgOfficer.objects.filter(org=org, user__isnull=False, ended_on__isnull=True).values("user_id")
        people = get_user_model().objects.filter(pk__in=officers).order_by("full_name", "pk")
        self.fields["chair"].queryset = people
        self.fields["recorder"].queryset = people
        for name in ("chair", "recorder"):
            self.fields[name].label_from_instance = lambda u: u.full_name or u.username
        district_path = org.area.path[:STEP]
        self.fields["guidance"].queryset = Guidance.objects.filter(
            area_path=district_path, published_at__isnull=False
        ).order_by("-year", "-quarter")[:8]
        now = timezone.now()
        window = datetime.timedelta(days=LINK_WINDOW_DAYS)
        self.fields["activity"].queryset = Activity.objects.filter(
            area=org.area, start__gte=now - window, start__lte=now + window
        ).order_by("-start")[:30]
        self.fields["activity"].label_from_instance = lambda a: f"{timezone.localtime(a.start):%m-%d} {a.title}"

    def starts_at(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.cleaned_data["day"], self.cleaned_data["time"]))


class FilesForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=FileKind.choices)


class GuidanceForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    quarter = forms.ChoiceField(label=_("季度"), choices=[(q, _("第%(q)s季度") % {"q": q}) for q in (1, 2, 3, 4)])
    title = forms.CharField(label=_("标题"), max_length=120)
    topics = forms.CharField(label=_("学习主题"), widget=forms.Textarea(attrs={"rows": 4}))
    readings = forms.CharField(label=_("必读篇目"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    activities = forms.CharField(label=_("主题党日建议活动"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
