"""Every page: scope (owner, colleague in scope, outsider 404), the phone's writes once per key, query
counts of the lists, the PDF report."""

from django.urls import reverse

from dangjian.mobilization import services
from dangjian.mobilization.models import Visit


def test_the_commander_pages_are_scoped(world, mob, placed, assert_scoped):
    callup, call, _placement, _task = placed
    u = world.users
    pid = callup.public_id
    for name in ("detail", "answers", "temp_org"):
        assert_scoped(
            reverse(f"mobilization:{name}", args=[pid]),
            owner=u.subdistrict_admin,
            colleague=u.subdistrict_admin_colleague,
            outsider=u.subdistrict_admin_outsider,
        )
    assert_scoped(
        reverse("mobilization:grid", args=[pid, world.g1a.public_id]),
        owner=u.subdistrict_admin,
        colleague=u.community_worker,
        outsider=u.community_worker_outsider,
    )
    assert_scoped(
        reverse("mobilization:answer", args=[call.public_id]),
        owner=u.subdistrict_admin,
        colleague=u.district_admin,
        outsider=u.subdistrict_admin_outsider,
    )


def test_the_phone_pages_are_the_called_persons_own(world, mob, placed, assert_scoped):
    callup, _call, _placement, task = placed
    visit = Visit.objects.filter(callup=callup).first()
    for url in (
        reverse("mobilization:reply", args=[callup.public_id]),
        reverse("mobilization:mine", args=[callup.public_id]),
        reverse("mobilization:task", args=[task.public_id]),
        reverse("mobilization:visit", args=[visit.public_id]),
    ):
        assert_scoped(url, owner=mob.near.user, outsider=mob.far.user)


def test_lists_cost_a_bounded_number_of_queries(world, mob, placed, count_queries):
    callup, *_rest = placed
    u = world.users
    urls = [
        reverse("mobilization:home"),
        reverse("mobilization:answers", args=[callup.public_id]) + "?status=placed",
        reverse("mobilization:detail", args=[callup.public_id]),
        reverse("mobilization:grid", args=[callup.public_id, world.g1a.public_id]),
    ]
    few = [count_queries(u.subdistrict_admin, url) for url in urls]
    for m in (mob.c1b, mob.c2):
        call = services.call_answer(actor=m.user, callup=callup, available=True)
        services.placement_confirm(actor=u.subdistrict_admin, call=call, grid=world.g1a)
    more = [count_queries(u.subdistrict_admin, url) for url in urls]
    assert more == few, (few, more)
    assert max(more) <= 30


def test_the_report_renders_totals_and_the_honours_list(world, mob, placed, client):
    callup, *_rest = placed
    client.force_login(world.users.subdistrict_admin)
    response = client.get(reverse("mobilization:report", args=[callup.public_id]))
    assert response.status_code == 200
    assert response["Content-Type"] in ("application/pdf", "text/html; charset=utf-8")
