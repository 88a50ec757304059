"""Imports at bulk speed: rows written by COPY (PostgreSQL) or one prepared INSERT (SQLite), named by
primary-key range in the import's one audit row; the import's re-check reuses the check's parse."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from dangjian.imports import inserts, services
from dangjian.imports.engine import PARSED_VERSION
from dangjian.imports.models import ImportStatus, ImportUpload
from dangjian.imports.testing import MEMBER_HEADER, citizen_id, member_row, xlsx
from dangjian.people.models import Member


def checked(user, content):
    job = services.job_create(actor=user, kind="members", filename="名单.xlsx", content=content)
    return services.job_check_run(job.pk)


def test_insert_fills_what_the_model_would_and_returns_the_pks_in_order(world):
    rows = [
        {"name": "甲", "id_number": citizen_id(41), "org_id": world.eb.pk, "joined_on": datetime.date(2001, 7, 1)},
        {"name": "乙", "id_number": citizen_id(42), "org": world.eb.pk, "category": "probationary"},
    ]
    with transaction.atomic():
        pks = inserts.insert(Member, rows)
    first, second = (Member.objects.get(pk=pk) for pk in pks)
    assert (first.name, first.id_number, first.org, first.joined_on) == (
        "甲",
        citizen_id(41),
        world.eb,
        datetime.date(2001, 7, 1),
    )
    assert (second.name, second.org, second.category) == ("乙", world.eb, "probationary")
    assert first.category == "full" and first.status == Member._meta.get_field("status").default  # defaults
    assert first.public_id != second.public_id and first.public_id is not None  # one fresh UUID each
    assert first.created_at is not None and first.updated_at is not None and first.mobile == ""
    assert first.confirmed_on is None and first.workplace is None
    # The next row made the ordinary way comes after them: the sequence moved on.
    assert Member.objects.create(name="丙", id_number=citizen_id(43), org=world.eb).pk > max(pks)


def test_insert_refuses_a_duplicate_as_the_database_does_and_the_transaction_keeps_nothing(world):
    Member.objects.create(name="已有", id_number=citizen_id(44), org=world.eb)

    def two_batches():
        with transaction.atomic():
            inserts.insert(Member, [{"name": "新", "id_number": citizen_id(45), "org_id": world.eb.pk}])
            inserts.insert(Member, [{"name": "重复", "id_number": citizen_id(44), "org_id": world.eb.pk}])

    with pytest.raises(IntegrityError):
        two_batches()
    assert list(Member.objects.values_list("name", flat=True)) == ["已有"]


def test_ranges_name_every_pk_and_read_back():
    ranges = inserts.pk_ranges([7, 3, 4, 5, 9, 10])
    assert ranges == [[3, 5], [7, 7], [9, 10]] and inserts.ranges_text(ranges) == "3–5, 7, 9–10"
    assert [pk for pk in range(1, 12) if inserts.in_ranges(pk, ranges)] == [3, 4, 5, 7, 9, 10]


def test_the_import_recheck_resolves_again_without_reading_the_sheet_again(world):
    user = world.users.community_worker
    job = checked(user, xlsx(MEMBER_HEADER, [member_row(2), member_row(3)]))
    upload = ImportUpload.objects.get(job=job)
    assert job.can_confirm and upload.parsed_rows
    # The sheet is no longer readable: the import works from the check's parse all the same.
    ImportUpload.objects.filter(job=job).update(content=b"not a workbook any more")
    job = services.job_confirm(actor=user, job=job)
    assert job.status == ImportStatus.DONE and job.imported_count == 2
    assert set(Member.objects.values_list("id_number", flat=True)) == {citizen_id(2), citizen_id(3)}


def test_a_parse_from_an_older_version_or_a_check_with_problems_is_not_reused(world, monkeypatch):
    user = world.users.community_worker
    bad = checked(user, xlsx(MEMBER_HEADER, [member_row(2), member_row(3, 党员类别="党员")]))
    assert bad.error_count == 1 and not ImportUpload.objects.get(job=bad).parsed_rows
    job = checked(user, xlsx(MEMBER_HEADER, [member_row(4)]))
    monkeypatch.setattr("dangjian.imports.engine.PARSED_VERSION", PARSED_VERSION + 1)
    ImportUpload.objects.filter(job=job).update(content=b"not a workbook any more")
    job = services.job_confirm(actor=user, job=job)  # must read the sheet: it cannot
    assert job.status == ImportStatus.FAILED and not Member.objects.exists()


def test_the_audit_page_shows_the_one_import_row_with_the_members_it_wrote(world, login):
    user = world.users.community_worker
    job = services.job_confirm(actor=user, job=checked(user, xlsx(MEMBER_HEADER, [member_row(2), member_row(3)])))
    ranges = inserts.ranges_text(job.written["people.member"])
    page = login(world.users.district_admin).get(reverse("audit:list"), {"action": "import"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "写入的记录" in html and f"people.member：{ranges}" in html and job.filename in html
