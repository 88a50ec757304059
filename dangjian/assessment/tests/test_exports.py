"""The 考核结果 workbook reads the user's scope; the phone writes carry the idempotency decorator."""

import io
import uuid

import pytest
from django.urls import resolve, reverse
from openpyxl import load_workbook

from dangjian.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _names(response) -> list[str]:
    ws = load_workbook(
        io.BytesIO(b"".join(response.streaming_content if response.streaming else [response.content]))
    ).active
    return [row[2] for row in ws.iter_rows(min_row=2, values_only=True)]


def test_the_results_workbook_reads_the_scope(world, cast, scheme, login):
    url = reverse("imports:export_assessment_sheets") + f"?year={scheme.year}"
    everything = _names(login(cast.district).get(url))
    assert set(everything) == {"拱北街道党工委", "吉大街道党工委", "婆石社区大党委", "海虹社区党委"}
    assert set(_names(login(world.users.subdistrict_admin).get(url))) == {"拱北街道党工委", "婆石社区大党委"}
    assert AuditEvent.objects.filter(object_type="assessment.sheet", action="export").count() == 2
    assert login(world.users.grid_worker).get(url).status_code == 404


@pytest.mark.parametrize("name", ["assessment:report", "assessment:pick"])
def test_phone_writes_carry_the_idempotency_decorator(name):
    assert getattr(resolve(reverse(name, args=[uuid.uuid4()])).func, "idempotent", False)
