"""One photo check for every upload: by magic bytes, size and count, with the file named in the error."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.core import photos
from dangjian.core.photos import PhotosField, check_photos

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 16
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 16


def upload(content: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def errors(exc: pytest.ExceptionInfo) -> list[str]:
    return exc.value.message_dict["photos"]


def test_it_knows_a_photo_by_its_bytes_not_its_name():
    checked = check_photos([upload(PNG, "a.jpg"), upload(JPEG, "b.png"), upload(WEBP, "c"), None])
    assert [(p.ext, p.content) for p in checked] == [("png", PNG), ("jpg", JPEG), ("webp", WEBP)]
    stored = checked[0].as_file()
    assert stored.name.endswith(".png") and "a.jpg" not in stored.name and stored.read() == PNG
    with pytest.raises(ValidationError) as exc:
        check_photos([upload(PNG, "ok.png"), upload(b"MZ\x90\x00", "report.exe"), upload(b"ftypheic", "IMG_1.heic")])
    assert len(errors(exc)) == 2
    assert errors(exc)[0].startswith("「report.exe」不是 JPEG、PNG 或 WebP 格式的图片")
    assert "「IMG_1.heic」" in errors(exc)[1] and "请转存为 JPEG" in errors(exc)[1]


def test_it_refuses_too_many_or_too_large_photos(monkeypatch):
    with pytest.raises(ValidationError) as exc:
        check_photos([upload(PNG, f"{n}.png") for n in range(4)], max_count=3)
    assert errors(exc) == ["最多上传 3 张照片。"]
    monkeypatch.setattr(photos, "MAX_BYTES", 1024 * 1024)
    with pytest.raises(ValidationError) as exc:
        check_photos([upload(PNG + b"\x00" * (1024 * 1024), "big.png")])
    assert errors(exc) == ["照片「big.png」超过 1 MB。"]
    stream = io.BytesIO(PNG + b"\x00" * (1024 * 1024))  # no size: measured by reading it
    stream.name = "stream.png"
    with pytest.raises(ValidationError) as exc:
        check_photos([stream])
    assert errors(exc) == ["照片「stream.png」超过 1 MB。"]


def test_the_form_field_takes_several_files_and_counts_them():
    field = PhotosField(max_count=2)
    assert field.widget.allow_multiple_selected and field.widget.attrs["accept"] == photos.ACCEPT
    assert [f.name for f in field.clean([upload(PNG, "a.png"), None])] == ["a.png"]
    files = field.clean([upload(PNG, "a.png"), upload(JPEG, "b.jpg")])
    assert [f.name for f in files] == ["a.png", "b.jpg"]
    assert field.clean(None) == []
    assert str(field.help_text) == "支持 JPEG、PNG、WebP，每张不超过 10 MB。"
    with pytest.raises(ValidationError) as exc:
        field.clean([upload(PNG, "a.png")] * 3)
    assert exc.value.messages == ["最多上传 2 张照片。"]
