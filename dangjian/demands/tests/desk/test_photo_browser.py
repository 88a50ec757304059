"""In a real browser, at phone and desktop width: the community worker and the requester see a demand's
photos on its page, served by the permission-checked photo view."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.cases.tests.intake.test_photo_browser import BLUE, RED, assert_images_load
from dangjian.conftest import PASSWORD
from dangjian.demands.tests.test_workflow import submit

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_worker_and_the_requester_see_the_photos_of_a_demand(world, browser):
    demand = submit(world, photos=[SimpleUploadedFile("灯.png", RED), SimpleUploadedFile("灯2.png", BLUE)])
    url = f"/demands/{demand.public_id}/"
    page = browser.sign_in("sq1", PASSWORD)
    browser.go(url)
    assert_images_load(page, 2)
    browser.assert_fits()
    browser.shot("demands-desk-photos")
    browser.context.clear_cookies()
    page = browser.sign_in("jm", PASSWORD)
    browser.go(url)
    assert_images_load(page, 2)
