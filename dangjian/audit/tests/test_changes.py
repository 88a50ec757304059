"""The audit page and its export show changes as people read them: field labels, 是/否, choice labels,
local times, the names of related objects, formatted decimals, "—" for none; never raw Python values."""

import datetime

from django.urls import reverse
from django.utils import timezone

from dangjian.audit.changes import as_text, describe
from dangjian.audit.services import Action, audit_record
from dangjian.imports.testing import read_xlsx

ACTED = datetime.datetime(2026, 12, 6, 9, 23, 38, 512000, tzinfo=datetime.UTC)  # 17:23 in Shanghai


def record(world, object_type, changes):
    return audit_record(
        actor=world.users.district_admin,
        action=Action.UPDATE,
        object_type=object_type,
        object_id="x",
        object_repr="部门报到",
        changes=changes,
        area_path=world.district.path,
    )


def whistle_report(world):
    return record(
        world,
        "cases.summons",
        {
            "acted_at": [None, timezone.localtime(ACTED).isoformat()],
            "late": [None, False],
            "department": [world.dept.pk, world.dept2.pk],
            "note": [None, "已到场处置"],
        },
    )


def test_the_audit_page_shows_labels_and_formatted_values(world, login):
    whistle_report(world)
    record(world, "cases.whistle", {"level": ["community", "subdistrict"], "closed_at": [ACTED.isoformat(), None]})
    record(world, "demands.demand", {"bank_hours": ["0", "6.70000000000000"], "is_late": [True, None]})
    page = login(world.users.district_admin).get(reverse("audit:list")).content.decode()
    assert "处置时间</span>：— → 2026-12-06 17:23" in page
    assert "是否超时</span>：— → 否" in page
    assert "department</span>" not in page and "：香洲区城管局 → 香洲区环卫中心" in page
    assert "报到说明</span>：— → 已到场处置" in page
    assert "层级</span>：社区吹哨 → 街道吹哨" in page
    assert "：2026-12-06 17:23 → —" in page
    assert "支付时间币（小时）</span>：0 → 6.7" in page
    assert "is_late</span>：是 → —" in page  # a key the model does not know keeps its name, values still read
    for raw in ("[None", "None,", "False]", "T09:23", "6.70000000000000", "'"):
        assert raw not in page.split("<tbody>")[1], raw


def test_a_related_object_gone_since_keeps_its_id_and_a_reveal_names_the_field(world):
    event = record(world, "cases.summons", {"department": [None, 987654]})
    reveal = record(world, "cases.case", {"field": "reporter_phone"})
    unknown = record(world, "nowhere.thing", {"x": [1, 2]})
    describe([event, reveal, unknown])
    assert as_text(event) == "职能部门：— → 987654"
    assert as_text(reveal) == "查看字段：联系电话"
    assert as_text(unknown) == "x：1 → 2"


def test_related_names_are_looked_up_once_per_model_for_the_whole_page(world, count_queries):
    url = reverse("audit:list")
    whistle_report(world)
    before = count_queries(world.users.district_admin, url)
    for _n in range(12):
        whistle_report(world)
    assert count_queries(world.users.district_admin, url) == before


def test_the_audit_export_writes_the_changes_the_same_way(world, login):
    whistle_report(world)
    response = login(world.users.district_admin).get(reverse("imports:export_audit"), {"what": "部门报到"})
    rows = read_xlsx(b"".join(response.streaming_content) if response.streaming else response.content)
    column = rows[0].index("变更")
    assert sorted(rows[1][column].splitlines()) == sorted(
        [
            "处置时间：— → 2026-12-06 17:23",
            "是否超时：— → 否",
            "职能部门：香洲区城管局 → 香洲区环卫中心",
            "报到说明：— → 已到场处置",
        ]
    )  # PostgreSQL's jsonb keeps no key order
