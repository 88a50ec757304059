"""The two steps every phone-verified journey starts with (sign-up, password reset): type the mobile
number and get a code, then type the code. The journey's own last step asks `verified()` for the
checked code and redeems it in its write; `finish()` forgets the journey.

The state lives in the (anonymous) session: the mobile number, then the verified code's id.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from dangjian.core.text import mask_mobile
from dangjian.core.views import client_ip

from ..models import PhoneCode
from . import codes
from .forms import CodeForm, MobileForm


def add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@dataclass(frozen=True)
class PhoneFlow:
    purpose: str
    session_key: str
    start_url: str  # url names
    verify_url: str
    next_url: str
    title: str  # lazy strings
    intro: str

    def state(self, request) -> dict:
        return request.session.get(self.session_key) or {}

    def _save(self, request, **values) -> None:
        request.session[self.session_key] = {**self.state(request), **values}

    def _context(self, request, form, **extra) -> dict:
        return {"form": form, "flow": self, **extra}

    def start(self, request):
        ip = client_ip(request)
        posted = request.POST.get("mobile", "").strip() if request.method == "POST" else None
        needs_captcha = codes.captcha_required(mobile=posted, ip=ip)
        initial = {"mobile": self.state(request).get("mobile", "")}
        form = MobileForm(request.POST or None, captcha=needs_captcha, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                row = codes.code_send(
                    mobile=form.cleaned_data["mobile"], purpose=self.purpose, ip=ip, captcha_passed=needs_captcha
                )
            except ValidationError as exc:
                if "captcha" in getattr(exc, "error_dict", {}) and "captcha" not in form.fields:
                    form = MobileForm(request.POST, captcha=True)
                    form.is_valid()
                add_errors(form, exc)
            else:
                # A new code starts the journey again: a code verified before no longer counts.
                request.session[self.session_key] = {"mobile": row.mobile}
                return redirect(self.verify_url)
        return render(request, "accounts/phone/mobile.html", self._context(request, form))

    def verify(self, request):
        mobile = self.state(request).get("mobile")
        if not mobile:
            return redirect(self.start_url)
        form = CodeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                row = codes.code_verify(mobile=mobile, purpose=self.purpose, code=form.cleaned_data["code"])
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                self._save(request, code_id=row.pk)
                return redirect(self.next_url)
        extra = {"masked_mobile": mask_mobile(mobile), "minutes": codes.limits().ttl_seconds // 60}
        return render(request, "accounts/phone/code.html", self._context(request, form, **extra))

    def verified(self, request) -> PhoneCode | None:
        state = self.state(request)
        return codes.verified_code(code_id=state.get("code_id"), mobile=state.get("mobile"), purpose=self.purpose)

    def finish(self, request) -> None:
        request.session.pop(self.session_key, None)
