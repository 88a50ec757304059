"""In a real browser, at phone and desktop width: staff see every photo of a case on the desk page (the
reporter's and the handling photos), served by the permission-checked photo view."""

import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.cases import services
from dangjian.cases.models import CasePhoto
from dangjian.conftest import PASSWORD

from .test_views import file_case

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A real PNG of one colour, so the screenshots show the photos (and their size can be checked)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


RED, BLUE = png(64, 48, (200, 40, 40)), png(48, 64, (40, 90, 200))


def assert_images_load(page, count):
    images = page.locator(".photo-grid img")
    assert images.count() == count
    for n in range(count):
        image = images.nth(n)
        image.scroll_into_view_if_needed()  # loading="lazy": the load event does not wait for them
        page.wait_for_function("img => img.complete", arg=image.element_handle())
        assert image.evaluate("img => img.naturalWidth") in (48, 64), image.get_attribute("src")
        assert "/media/" not in image.get_attribute("src")


def test_staff_see_every_photo_of_a_case(world, browser):
    case = file_case(world.users.resident, photos=[SimpleUploadedFile("a.png", RED), SimpleUploadedFile("b.png", BLUE)])
    u = world.users
    case = services.case_accept(actor=u.community_worker, case=case)
    case = services.case_dispatch(actor=u.community_worker, case=case, kind="department", department=world.dept)
    case = services.case_take(actor=u.department_staff, case=case)
    services.case_note(actor=u.department_staff, case=case, text="已清运", photos=[SimpleUploadedFile("c.png", BLUE)])
    assert CasePhoto.objects.filter(case=case).count() == 3
    page = browser.sign_in("sq1", PASSWORD)
    browser.go(case.get_absolute_url())
    assert_images_load(page, 3)
    browser.assert_fits()
    browser.shot("cases-desk-photos")
