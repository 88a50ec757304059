"""Case photos on the desk: every photo goes through the permission-checked photo view, never /media/."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dangjian.cases.models import Case, CasePhoto

from .test_services import PNG
from .test_views import file_case


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_desk_page_shows_every_photo_through_the_photo_view(world, login):
    case = file_case(world.users.resident, photos=[SimpleUploadedFile("a.png", PNG)])
    photo = case.photos.get()
    page = login(world.users.community_worker).get(reverse("cases:detail", args=[case.public_id])).content.decode()
    route = reverse("cases:photo", args=[photo.public_id])
    assert f'src="{route}"' in page and f'href="{route}"' in page
    assert settings.MEDIA_URL not in page and photo.file.name not in page


def test_uploads_are_not_served_from_media(world, login):
    case = file_case(world.users.resident, photos=[SimpleUploadedFile("a.png", PNG)])
    path = settings.MEDIA_URL + case.photos.get().file.name
    assert login(world.users.district_admin).get(path).status_code == 404


def test_the_case_owner_out_of_scope_sees_the_photos_of_the_page_they_see(world, login):
    """首问负责制: whoever owns a case opens its page wherever it went, and so its photos."""
    case = file_case(world.users.resident, photos=[SimpleUploadedFile("a.png", PNG)])
    photo = case.photos.get()
    outsider = world.users.community_worker_outsider
    client = login(outsider)
    assert client.get(reverse("cases:photo", args=[photo.public_id])).status_code == 404
    Case.objects.filter(pk=case.pk).update(owner=outsider)
    assert client.get(reverse("cases:detail", args=[case.public_id])).status_code == 200
    response = client.get(reverse("cases:photo", args=[photo.public_id]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG


def test_a_photo_without_a_file_is_not_found(world, login):
    case = file_case(world.users.resident)
    photo = CasePhoto.objects.create(case=case, media_url="https://example.com/a.png")
    assert login(world.users.community_worker).get(reverse("cases:photo", args=[photo.public_id])).status_code == 404
