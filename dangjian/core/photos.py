"""Uploaded photos, checked one way wherever people attach them (case intake, case steps, demands):
by their bytes, since the file name and the browser's content type can lie; by size; by count.
Nothing is written until every photo of a request has passed."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import FileResponse, Http404
from django.utils.functional import lazy
from django.utils.translation import gettext as _

MAX_COUNT = 9
MAX_BYTES = int(getattr(settings, "PHOTO_MAX_BYTES", 10 * 1024 * 1024))
ACCEPT = "image/jpeg,image/png,image/webp"


def image_kind(head: bytes) -> str | None:
    """The image type by its magic bytes."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


@dataclass(frozen=True)
class CheckedPhoto:
    content: bytes
    ext: str

    def as_file(self) -> ContentFile:
        """A file to store under a name of our own (never the uploader's)."""
        return ContentFile(self.content, name=f"{uuid.uuid4().hex}.{self.ext}")


def read_photos(photos: Iterable[Any]) -> tuple[list[CheckedPhoto], list[str]]:
    """Read each upload (or bytes) and check it; the errors name the file."""
    checked: list[CheckedPhoto] = []
    errors: list[str] = []
    limit_mb = MAX_BYTES // (1024 * 1024)
    for upload in photos:
        name = getattr(upload, "name", "") or _("照片")
        size = getattr(upload, "size", None)
        if size is None or size <= MAX_BYTES:
            if hasattr(upload, "seek"):
                upload.seek(0)
            content = upload.read(MAX_BYTES + 1) if hasattr(upload, "read") else bytes(upload)
            size = len(content)
        if size > MAX_BYTES:
            errors.append(_("照片「%(name)s」超过 %(mb)s MB。") % {"name": name, "mb": limit_mb})
            continue
        kind = image_kind(content[:16])
        if kind is None:
            errors.append(
                _("「%(name)s」不是 JPEG、PNG 或 WebP 格式的图片（不是照片，或是 HEIC 等格式：请转存为 JPEG）。")
                % {"name": name}
            )
            continue
        checked.append(CheckedPhoto(content, kind))
    return checked, errors


def check_photos(photos: Iterable[Any], *, max_count: int = MAX_COUNT) -> list[CheckedPhoto]:
    """The photos of one request, read and checked, or a ValidationError on `photos`."""
    photos = [p for p in photos if p]
    if len(photos) > max_count:
        raise ValidationError({"photos": _("最多上传 %(n)s 张照片。") % {"n": max_count}})
    checked, errors = read_photos(photos)
    if errors:
        raise ValidationError({"photos": errors})
    return checked


def photo_response(stored: Any) -> FileResponse:
    """A stored photo's bytes, for a view that has checked the viewer may see the photo's case or demand.

    Uploads are never served from MEDIA_URL: only through such a view."""
    if not stored:
        raise Http404
    response = FileResponse(stored.open("rb"))
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _help_text() -> str:
    return _("支持 JPEG、PNG、WebP，每张不超过 %(mb)s MB。") % {"mb": MAX_BYTES // (1024 * 1024)}


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input. The form only counts them; the service reads and checks them."""

    def __init__(self, *args: Any, max_count: int = MAX_COUNT, **kwargs: Any) -> None:
        self.max_count = max_count
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", lazy(_help_text, str)())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        files = [f for f in files if f]
        if len(files) > self.max_count:
            raise forms.ValidationError(_("最多上传 %(n)s 张照片。") % {"n": self.max_count})
        return files
