"""Notice attachments, checked by their bytes like core/photos.py does for photos: a name and a browser's
content type can lie. PDF, Word (.docx) and Excel (.xlsx) files (zip packages holding the part their
kind needs), JPEG and PNG images; each at most ATTACHMENT_MAX_BYTES, at most MAX_COUNT a notice."""

from __future__ import annotations

import io
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from dangjian.core.photos import image_kind

MAX_COUNT = 5
MAX_BYTES = int(getattr(settings, "NOTICE_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024))
ACCEPT = ".pdf,.docx,.xlsx,.jpg,.jpeg,.png"
# The part an Office package of each kind must hold.
OFFICE_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jpg": "image/jpeg",
    "png": "image/png",
}


def file_kind(content: bytes) -> str | None:
    if content.startswith(b"%PDF-"):
        return "pdf"
    image = image_kind(content[:16])
    if image in ("jpg", "png"):
        return image
    if content.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(content)).namelist())
        except (zipfile.BadZipFile, ValueError):
            return None
        for kind, part in OFFICE_PARTS.items():
            if part in names:
                return kind
    return None


@dataclass(frozen=True)
class CheckedFile:
    content: bytes
    kind: str
    name: str

    def as_file(self) -> ContentFile:
        return ContentFile(self.content, name=f"{uuid.uuid4().hex}.{self.kind}")


def check_attachments(uploads: Iterable[Any], *, field: str = "attachments") -> list[CheckedFile]:
    """Every upload read and checked, or one ValidationError on `field` naming each bad file (other apps'
    attachments, e.g. a 述职's, are checked here too)."""
    uploads = [u for u in uploads if u]
    if len(uploads) > MAX_COUNT:
        raise ValidationError({field: _("最多上传 %(n)s 个附件。") % {"n": MAX_COUNT}})
    checked, errors = [], []
    limit_mb = MAX_BYTES // (1024 * 1024)
    for upload in uploads:
        name = (getattr(upload, "name", "") or _("附件"))[-200:]
        size = getattr(upload, "size", None)
        if size is not None and size > MAX_BYTES:
            errors.append(_("附件「%(name)s」超过 %(mb)s MB。") % {"name": name, "mb": limit_mb})
            continue
        if hasattr(upload, "seek"):
            upload.seek(0)
        content = upload.read(MAX_BYTES + 1) if hasattr(upload, "read") else bytes(upload)
        if len(content) > MAX_BYTES:
            errors.append(_("附件「%(name)s」超过 %(mb)s MB。") % {"name": name, "mb": limit_mb})
            continue
        kind = file_kind(content)
        if kind is None:
            errors.append(
                _("附件「%(name)s」不是 PDF、Word（.docx）、Excel（.xlsx）、JPEG 或 PNG 文件。") % {"name": name}
            )
            continue
        checked.append(CheckedFile(content, kind, name))
    if errors:
        raise ValidationError({field: errors})
    return checked


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Several files in one input; the service reads and checks them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        files = [f for f in files if f]
        if len(files) > MAX_COUNT:
            raise forms.ValidationError(_("最多上传 %(n)s 个附件。") % {"n": MAX_COUNT})
        return files
