"""Look-ups and search keys at bulk speed: existing ID numbers in one query on PostgreSQL (chunks on
SQLite), pinyin initials converted once per word, and a rerun of an imported file refused row by row."""

import random

from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.core.text import pinyin_initials, pinyin_initials_many
from dangjian.demo.names import person_name
from dangjian.imports import services
from dangjian.imports.models import ImportStatus
from dangjian.imports.resolvers import LOOKUP_CHUNK, lookup_chunks, value_in
from dangjian.imports.testing import MEMBER_HEADER, citizen_id, member_row, xlsx
from dangjian.people.models import Member


def checked(user, content):
    job = services.job_create(actor=user, kind="members", filename="名单.xlsx", content=content)
    return services.job_check_run(job.pk)


def test_pinyin_of_many_names_is_what_each_name_gives_alone():
    rng = random.Random(13)
    # Phrases pypinyin knows change how a polyphonic character reads (长 in 市长 / 长乐, 行 in 银行 / 行长).
    names = ["单雄信", "曾长乐", "重庆市长", "朝阳银行行长", "阿卜杜·艾力", "Anna李", "李A2b", "", " 张 三 ", "乐乐"]
    names += [person_name(rng) for _ in range(3000)]
    many = pinyin_initials_many(names)
    assert set(many) == set(names)
    assert [many[n] for n in names] == [pinyin_initials(n) for n in names]
    assert many["朝阳银行行长"] == pinyin_initials("朝阳银行行长") and many["李A2b"] == "la2b"


def test_value_in_finds_every_value_in_one_query_on_postgresql_and_in_chunks_elsewhere(world):
    numbers = [citizen_id(k, birth="19700101") for k in range(LOOKUP_CHUNK + 20)]
    Member.objects.bulk_create(Member(name=f"甲{k}", id_number=n, org=world.eb) for k, n in enumerate(numbers[::2]))
    wanted = [*numbers, "not a number"]
    with CaptureQueriesContext(connection) as queries:
        found = {
            number
            for chunk in lookup_chunks(wanted)
            for number in Member.objects.filter(value_in("id_number", chunk)).values_list("id_number", flat=True)
        }
    assert found == set(numbers[::2])
    assert len(queries) == (1 if connection.vendor == "postgresql" else 2)
    assert list(lookup_chunks([])) == []


def test_a_rerun_of_an_imported_file_writes_nothing_and_names_each_member_on_record(world):
    user = world.users.community_worker
    content = xlsx(MEMBER_HEADER, [member_row(k) for k in range(2, LOOKUP_CHUNK + 12)])
    first = services.job_confirm(actor=user, job=checked(user, content))
    assert first.status == ImportStatus.DONE and first.imported_count == LOOKUP_CHUNK + 10
    count = Member.objects.count()
    rerun = checked(user, content)
    assert rerun.status == ImportStatus.CHECKED and not rerun.can_confirm
    assert rerun.error_rows == rerun.total_rows == LOOKUP_CHUNK + 10
    error = rerun.errors[0]
    assert (error["row"], error["column"]) == (2, "B")
    assert error["message"].startswith("身份证号已存在于党员库（党员2，婆石社区）")
    assert {e["column_name"] for e in rerun.errors} == {"身份证号"}
    assert Member.objects.count() == count
