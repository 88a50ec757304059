"""Demand photos: served by the demand's photo view to whoever may open the demand (404 otherwise),
shown on the demand page through it, never from /media/."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dangjian.cases.tests.intake.test_services import PNG
from dangjian.demands.tests.test_workflow import submit


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def with_photo(world):
    return submit(world, photos=[SimpleUploadedFile("灯.png", PNG)])


def test_a_demand_photo_is_served_to_who_may_open_the_demand(world, assert_scoped):
    u = world.users
    photo = with_photo(world).photos.get()
    url = reverse("demands:photo", args=[photo.public_id])
    assert_scoped(url, owner=u.resident, colleague=u.community_worker, outsider=u.community_worker_outsider)
    assert_scoped(url, owner=u.subdistrict_admin, outsider=u.member)


def test_a_demand_photo_is_its_bytes_and_needs_a_sign_in(world, client, login):
    photo = with_photo(world).photos.get()
    url = reverse("demands:photo", args=[photo.public_id])
    assert client.get(url).status_code == 302  # to the sign-in page
    response = login(world.users.community_worker).get(url)
    assert b"".join(response.streaming_content) == PNG
    assert response["X-Content-Type-Options"] == "nosniff" and "private" in response["Cache-Control"]


def test_the_demand_page_shows_photos_through_the_photo_view(world, login):
    demand = with_photo(world)
    photo = demand.photos.get()
    page = login(world.users.community_worker).get(reverse("demands:detail", args=[demand.public_id])).content.decode()
    route = reverse("demands:photo", args=[photo.public_id])
    assert f'src="{route}"' in page and f'href="{route}"' in page
    assert settings.MEDIA_URL not in page and photo.file.name not in page
    assert login(world.users.district_admin).get(settings.MEDIA_URL + photo.file.name).status_code == 404
