"""The workforce's forms: field shapes only; the rules live in services.workers.check_worker (shared
with the importer)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dangjian.core.widgets import DateInput, DateTimeInput

from .models import CandidateSource, CandidateStatus, CourseKind, Education, Gender, WorkerKind


class WorkerForm(forms.Form):
    area = forms.ChoiceField(label=_("所在社区或街道"))
    name = forms.CharField(label=_("姓名"), max_length=50)
    gender = forms.ChoiceField(label=_("性别"), choices=[("", "—"), *Gender.choices], required=False)
    birth_date = forms.DateField(label=_("出生日期"), widget=DateInput)
    id_number = forms.CharField(label=_("身份证号"), max_length=18, required=False)
    mobile = forms.CharField(label=_("手机号"), max_length=14, required=False)
    education = forms.ChoiceField(label=_("学历"), choices=Education.choices)
    kind = forms.ChoiceField(label=_("类别"), choices=WorkerKind.choices)
    title = forms.CharField(label=_("现任职务"), max_length=60, required=False)
    is_committee = forms.BooleanField(label=_("两委成员"), required=False)
    dual_role = forms.BooleanField(label=_("书记、主任一肩挑"), required=False)
    placed = forms.BooleanField(label=_("下沉在社区工作"), required=False, initial=True)
    sending_unit = forms.CharField(label=_("派出单位（第一书记）"), max_length=100, required=False)
    batch = forms.IntegerField(label=_("批次（第一书记）"), min_value=1, max_value=99, required=False)
    joined_on = forms.DateField(label=_("入职日期"), widget=DateInput)

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [(str(a.public_id), a.name) for a in areas]


class GradeForm(forms.Form):
    post = forms.ChoiceField(label=_("岗位"))
    grade = forms.IntegerField(label=_("等级（不填按学历定级）"), min_value=1, max_value=99, required=False)
    since = forms.DateField(label=_("起始日期"), widget=DateInput)

    def __init__(self, *args, posts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post"].choices = [(str(p.pk), f"{p.name}（{p.min_grade}–{p.max_grade}级）") for p in posts]


class PostHeldForm(forms.Form):
    title = forms.CharField(label=_("职务"), max_length=60)
    organization = forms.CharField(label=_("单位"), max_length=100, required=False)
    started_on = forms.DateField(label=_("任职开始"), widget=DateInput)
    ended_on = forms.DateField(label=_("任职结束"), widget=DateInput, required=False)


class CandidateForm(forms.Form):
    community = forms.ChoiceField(label=_("社区"))
    name = forms.CharField(label=_("姓名"), max_length=50)
    birth_date = forms.DateField(label=_("出生日期"), widget=DateInput)
    education = forms.ChoiceField(label=_("学历"), choices=Education.choices)
    is_party_member = forms.BooleanField(label=_("党员"), required=False)
    mobile = forms.CharField(label=_("手机号"), max_length=14, required=False)
    source = forms.ChoiceField(label=_("来源"), choices=CandidateSource.choices)
    assessment = forms.CharField(label=_("考察意见"), widget=forms.Textarea, required=False)

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(str(a.public_id), a.name) for a in communities]


class CandidateUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=CandidateStatus.choices)
    assessment = forms.CharField(label=_("考察意见"), widget=forms.Textarea, required=False)


class CourseForm(forms.Form):
    area = forms.ChoiceField(label=_("主办（区或街道分校）"))
    name = forms.CharField(label=_("课程名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=CourseKind.choices)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    organizer = forms.CharField(label=_("承办"), max_length=100, required=False)
    description = forms.CharField(label=_("简介"), widget=forms.Textarea, required=False)

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [(str(a.public_id), a.name) for a in areas]


class SessionForm(forms.Form):
    title = forms.CharField(label=_("本次内容"), max_length=100)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=DateTimeInput)
    hours = forms.DecimalField(label=_("学时"), min_value=0.5, max_value=24, decimal_places=1, initial=2)
    place = forms.CharField(label=_("地点"), max_length=100, required=False)
