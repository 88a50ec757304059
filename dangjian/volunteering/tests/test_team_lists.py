"""The team list and the membership list (the cockpit's volunteer_teams and volunteers link here):
scoped to the worker's territory, filtered by place and kind of team, one row per active team and
per live membership of an active team (a person on two teams twice), bad filters dropped with their
error, and a page bounded in queries whatever the rows."""

from django.urls import reverse

from dangjian.volunteering import services
from dangjian.volunteering.models import Team

TEAMS = reverse("volunteering:teams")
MEMBERS = reverse("volunteering:members")


def _read(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, url
    return response


def test_the_lists_count_the_active_teams_and_live_memberships_in_scope(vol, world, login):
    u = world.users
    far = services.fixed_teams_ensure(world.c3)
    own = services.team_create(actor=u.community_worker, community=world.c1, name="护河队")
    services.team_join(actor=u.member, team=vol.team)
    services.team_join(actor=u.member, team=own)  # the member is on two teams of 婆石: two rows
    services.team_join(actor=u.resident, team=vol.team)
    services.team_leave(actor=u.resident, team=vol.team)  # left: not counted
    gone = services.team_create(actor=u.community_worker, community=world.c1, name="旧队")
    services.team_join(actor=u.resident, team=gone)
    Team.objects.filter(pk=gone.pk).update(is_active=False)  # an inactive team and its members: not counted
    services.team_join(actor=u.community_worker_outsider, team=far[0], user=u.resident)

    worker = login(u.community_worker)
    teams = _read(worker, TEAMS)
    assert teams.context["page"].count == 6  # five fixed and 护河队, not 旧队 nor 海虹's
    body = teams.content.decode()
    assert "护河队" in body and "旧队" not in body and "海虹" not in body
    members = _read(worker, MEMBERS).context["page"]
    assert members.count == 2
    assert {m.team_id for m in members.object_list} == {vol.team.pk, own.pk}
    # 固定服务队 / 自建服务队
    assert _read(worker, TEAMS, fixed="fixed").context["page"].count == 5
    assert _read(worker, TEAMS, fixed="own").context["page"].count == 1
    assert _read(worker, MEMBERS, fixed="own").context["page"].count == 1

    # An out-of-scope place is dropped with its error: never another place's rows.
    response = _read(worker, TEAMS, area=str(world.c3.public_id))
    assert response.context["form"].errors and response.context["page"].count == 6
    assert "海虹" not in response.content.decode() and 'data-testid="filter-errors"' in response.content.decode()
    for bad in ({"area": "not-a-uuid"}, {"fixed": "bogus"}):
        response = _read(worker, MEMBERS, **bad)
        assert response.context["form"].errors and response.context["page"].count == 2, bad

    admin = login(u.district_admin)
    assert _read(admin, TEAMS).context["page"].count == 11
    assert _read(admin, MEMBERS).context["page"].count == 3
    assert _read(admin, TEAMS, area=str(world.c3.public_id)).context["page"].count == 5
    assert _read(admin, MEMBERS, area=str(world.s2.public_id)).context["page"].count == 1
    assert _read(admin, MEMBERS, area=str(world.g1a.public_id)).context["page"].count == 0  # teams sit at communities
    sub = login(u.subdistrict_admin)
    assert _read(sub, TEAMS, area=str(world.c1.public_id)).context["page"].count == 6
    assert _read(sub, TEAMS, area=str(world.c3.public_id)).context["page"].count == 6  # c3 dropped: s1 only


def test_only_workers_and_admins_open_the_lists(vol, world, login):
    for name in ("member", "resident", "grid_worker", "unit_contact", "department_staff", "nobody"):
        client = login(getattr(world.users, name))
        for url in (TEAMS, MEMBERS):
            assert client.get(url).status_code == 404, (name, url)


def test_the_lists_stay_bounded(vol, world, count_queries):
    u = world.users

    def more(start, n):
        for k in range(start, start + n):
            t = services.team_create(actor=u.community_worker, community=world.c1, name=f"队{k}")
            services.team_join(actor=u.member, team=t)
            services.team_join(actor=u.community_worker, team=t, user=u.resident)

    urls = [TEAMS, MEMBERS, f"{TEAMS}?area={world.c1.public_id}&fixed=own", f"{MEMBERS}?area={world.c1.public_id}"]
    more(0, 2)
    before = [count_queries(u.district_admin, url) for url in urls]
    more(2, 6)
    assert [count_queries(u.district_admin, url) for url in urls] == before
