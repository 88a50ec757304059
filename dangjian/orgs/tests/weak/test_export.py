import io

from django.urls import reverse
from openpyxl import load_workbook

from dangjian.audit.models import AuditEvent


def rows_of(response):
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return [[c.value for c in row] for row in load_workbook(io.BytesIO(data)).active.iter_rows()]


def names(response):
    return [row[0] for row in rows_of(response)[1:]]


def test_the_weak_list_exports_its_cases_in_scope_and_audited(world, login, make_case):
    make_case(world.eb)  # 婆石社区, 拱北街道
    make_case(world.eb3)  # 海虹社区, 吉大街道
    url = reverse("orgs:weak_export")
    rows = rows_of(login(world.users.subdistrict_admin).get(url))
    assert rows[0][:3] == ["党组织", "所在属地", "状态"]
    assert [r[0] for r in rows[1:]] == ["中珠新村小区党支部"]
    assert names(login(world.users.district_admin).get(url, {"q": "海虹"})) == ["海虹花园小区党支部"]
    assert AuditEvent.objects.filter(action="export", object_type="orgs.weakorgcase").count() == 2
    # The worker of 海虹社区 sees only the case in their own community.
    assert names(login(world.users.community_worker_outsider).get(url)) == ["海虹花园小区党支部"]
    assert login(world.users.resident).get(url).status_code == 404
