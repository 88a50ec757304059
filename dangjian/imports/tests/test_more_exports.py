"""The smaller list exports: scoped, masked, audited."""

import datetime
import io

from django.urls import reverse
from openpyxl import load_workbook

from dangjian.audit.models import AuditEvent
from dangjian.imports.testing import citizen_id
from dangjian.people.models import Liaison, Member
from dangjian.units.models import AdjunctMember, Alliance, AllianceMembership, ResidentUnit


def rows_of(response):
    assert response.status_code == 200, response.status_code
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return [[c.value for c in row] for row in load_workbook(io.BytesIO(data)).active.iter_rows()][1:]


def member(name, seq, *, org, home, status="in_service", mobile="13912345678"):
    return Member.objects.create(
        name=name, id_number=citizen_id(seq), mobile=mobile, org=org, home_community=home, status=status
    )


def test_liaisons_adjuncts_and_alliances_export_in_scope(world, login):
    Liaison.objects.create(leader_name="周明", post="区委副书记", level="district", area=world.c1)
    Liaison.objects.create(leader_name="吴刚", post="街道办主任", level="subdistrict", area=world.c3)
    unit3 = ResidentUnit.objects.create(name="海虹学校", kind="school", community=world.c3)
    AdjunctMember.objects.create(committee=world.cc1, unit=world.unit, name="刘洋", since=datetime.date(2025, 1, 1))
    AdjunctMember.objects.create(committee=world.cc3, unit=unit3, name="陈校长")
    alliance = Alliance.objects.create(name="拱北口岸联盟", area=world.s1, lead_org=world.wc1)
    AllianceMembership.objects.create(alliance=alliance, unit=world.unit, covenant="每月联席会议")
    worker, outsider = world.users.community_worker, world.users.community_worker_outsider
    liaisons = reverse("imports:export_liaisons")
    assert [r[0] for r in rows_of(login(worker).get(liaisons))] == ["周明"]
    assert [r[0] for r in rows_of(login(outsider).get(liaisons))] == ["吴刚"]
    adjuncts = reverse("imports:export_adjuncts")
    assert [r[1] for r in rows_of(login(worker).get(adjuncts))] == ["刘洋"]
    assert [r[1] for r in rows_of(login(outsider).get(adjuncts))] == ["陈校长"]
    alliances = reverse("imports:export_alliances")
    assert rows_of(login(world.users.subdistrict_admin).get(alliances)) == [
        ["拱北口岸联盟", "拱北街道党工委", "拱北口岸中心", None, "每月联席会议"]  # no join date: an empty cell
    ]
    assert rows_of(login(world.users.subdistrict_admin_outsider).get(alliances)) == []
    assert login(world.users.grid_worker).get(adjuncts).status_code == 404
    assert AuditEvent.objects.filter(action="export").count() == 6  # six exports; the refused one wrote none


def test_the_unregistered_export_is_per_community_and_scoped(world, login):
    member("未报到丁", 4, org=world.eb, home=world.c1)
    url = reverse("imports:export_unregistered", args=[world.c1.public_id])
    rows = rows_of(login(world.users.community_worker).get(url))
    assert [r[0] for r in rows] == ["未报到丁"] and rows[0][1] == "139****5678"
    assert rows_of(login(world.users.community_worker).get(url, {"tab": "units"})) == []
    assert login(world.users.community_worker_outsider).get(url).status_code == 404
    grid = reverse("imports:export_unregistered", args=[world.g1a.public_id])
    assert login(world.users.district_admin).get(grid).status_code == 404  # only communities
