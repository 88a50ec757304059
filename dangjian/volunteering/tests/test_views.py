import datetime

from django.urls import reverse

from dangjian.centers.services import activities as center_services
from dangjian.volunteering import services
from dangjian.volunteering.attendance import CHECKIN
from dangjian.volunteering.models import Attendance, ServicePost, Team

from .conftest import move_activity


def test_it_scopes_the_workers_pages(vol, world, assert_scoped):
    u = world.users
    signup_url = reverse("volunteering:correct", args=["a", vol.signup.public_id])
    shift_signup = services.shift_signup_create(actor=u.member, shift=vol.shift, now=vol.now)
    for url in (
        reverse("volunteering:attendance", args=[vol.activity.public_id]),
        reverse("volunteering:activity_qr", args=[vol.activity.public_id]),
        reverse("volunteering:post_qr", args=[vol.post.public_id]),
        reverse("volunteering:activity_create", args=[vol.team.public_id]),
        signup_url,
        reverse("volunteering:correct", args=["s", shift_signup.public_id]),
    ):
        assert_scoped(
            url, owner=u.community_worker, colleague=u.subdistrict_admin, outsider=u.community_worker_outsider
        )
    # Members never reach the workers' pages.
    assert_scoped(signup_url, owner=u.community_worker, outsider=u.member)


def test_it_scopes_teams_and_posts(vol, world, assert_scoped):
    u = world.users
    team_url = reverse("volunteering:team_detail", args=[vol.team.public_id])
    assert_scoped(team_url, owner=u.community_worker, colleague=u.member, outsider=u.community_worker_outsider)
    far = services.fixed_teams_ensure(world.c3)[0]
    far_url = reverse("volunteering:team_detail", args=[far.public_id])
    assert_scoped(far_url, owner=u.community_worker_outsider, colleague=u.district_admin, outsider=u.member)
    post_url = reverse("volunteering:post_detail", args=[vol.post.public_id])
    assert_scoped(post_url, owner=u.community_worker, colleague=u.member, outsider=u.community_worker_outsider)
    assert_scoped(reverse("volunteering:home"), owner=u.member, colleague=u.resident, outsider=u.unit_contact)


def test_it_shows_the_rotating_qr_with_its_scan_url(vol, world, login):
    client = login(world.users.community_worker)
    html = client.get(reverse("volunteering:attendance", args=[vol.activity.public_id])).content.decode()
    assert "<svg" in html and 'data-scan-url="http://testserver/volunteering/scan/' in html
    assert 'hx-get="/volunteering/activities/' in html and "every " in html
    fragment = client.get(reverse("volunteering:activity_qr", args=[vol.activity.public_id])).content.decode()
    assert fragment.strip().startswith('<div class="vol-qr"')


def test_it_checks_in_and_out_through_the_scan_page(vol, world, login):
    move_activity(
        vol.activity, start=vol.now - datetime.timedelta(minutes=5), end=vol.now + datetime.timedelta(hours=1)
    )
    token = CHECKIN.make(kind="activity", public_id=vol.activity.public_id, rotate_minutes=10)
    url = reverse("volunteering:scan", args=[token])
    client = login(world.users.member)
    page = client.get(url).content.decode()
    assert 'value="check_in"' in page
    assert not Attendance.objects.exists()  # opening the page writes nothing
    response = client.post(url, {"action": "check_in"}, follow=True)
    assert "签到成功" in response.content.decode()
    assert 'value="check_out"' in response.content.decode()
    client.post(url, {"action": "check_in"})  # a double tap does not check out
    assert Attendance.objects.get().checked_out_at is None
    response = client.post(url, {"action": "check_out"}, follow=True)
    assert "签退成功" in response.content.decode()
    assert Attendance.objects.get().verified


def test_it_answers_bad_and_expired_codes_in_chinese(vol, world, login):
    client = login(world.users.member)
    response = client.get(reverse("volunteering:scan", args=["nonsense"]))
    assert response.status_code == 400 and "二维码无效" in response.content.decode()
    old = CHECKIN.make(
        kind="activity", public_id=vol.activity.public_id, rotate_minutes=10,
        now=vol.now - datetime.timedelta(minutes=30),
    )  # fmt: skip
    response = client.get(reverse("volunteering:scan", args=[old]))
    assert response.status_code == 400 and "过期" in response.content.decode()


def test_it_offers_the_sign_up_on_the_scan_page(vol, world, login):
    token = CHECKIN.make(kind="activity", public_id=vol.activity.public_id, rotate_minutes=10)
    url = reverse("volunteering:scan", args=[token])
    client = login(world.users.resident)
    assert 'value="signup"' in client.get(url).content.decode()
    client.post(url, {"action": "signup"})
    assert vol.activity.signups.filter(user=world.users.resident).exists()


def test_it_lets_a_worker_correct_behind_a_confirmation(vol, world, login):
    start = vol.now - datetime.timedelta(hours=3)
    move_activity(vol.activity, start=start, end=start + datetime.timedelta(hours=2))
    client = login(world.users.community_worker)
    url = reverse("volunteering:correct", args=["a", vol.signup.public_id])
    page = client.get(url).content.decode()
    assert 'data-confirm="确认更正？' in page  # app.js asks before the form submits
    fmt = "%Y-%m-%dT%H:%M"
    local = start.astimezone(datetime.timezone(datetime.timedelta(hours=8)))
    response = client.post(
        url,
        {
            "checked_in_at": local.strftime(fmt),
            "checked_out_at": (local + datetime.timedelta(hours=1)).strftime(fmt),
            "note": "现场签到表补录",
        },
    )
    assert response.status_code == 302
    att = Attendance.objects.get()
    assert att.verified and str(att.hours) == "1.0" and att.correction_note == "现场签到表补录"


def test_it_joins_a_team_and_lists_it_on_home(vol, world, login):
    client = login(world.users.member)
    client.post(reverse("volunteering:team_join", args=[vol.team.public_id]))
    assert vol.team.members.filter(user=world.users.member, left_at__isnull=True).exists()
    html = client.get(reverse("volunteering:home")).content.decode()
    assert vol.team.name in html and vol.activity.title in html and vol.post.name in html


def test_a_worker_creates_a_team_and_a_post_in_a_community_they_manage(vol, world, login):
    client = login(world.users.community_worker)
    html = client.get(reverse("volunteering:team_create")).content.decode()
    assert "新建服务队" in html and "五支固定服务队" in html and world.c1.name in html
    # A community outside the worker's scope is not theirs to pick.
    refused = client.post(reverse("volunteering:team_create"), {"community": world.c3.public_id, "name": "外社区队"})
    assert refused.status_code == 200 and "请选择社区。" in refused.content.decode()
    assert not Team.objects.filter(name="外社区队").exists()
    response = client.post(reverse("volunteering:team_create"), {"community": world.c1.public_id, "name": "银发先锋队"})
    team = Team.objects.get(name="银发先锋队", area=world.c1)
    assert response["Location"] == reverse("volunteering:team_detail", args=[team.public_id])

    html = client.get(reverse("volunteering:post_create")).content.decode()
    assert "设立服务岗" in html and "按班次值守" in html
    data = {"community": world.c1.public_id, "name": "平安巡逻岗", "place": "中珠新村东门", "description": ""}
    response = client.post(reverse("volunteering:post_create"), data)
    post = ServicePost.objects.get(name="平安巡逻岗", area=world.c1)
    assert response["Location"] == reverse("volunteering:post_detail", args=[post.public_id])
    # Members do not reach the create pages.
    member = login(world.users.member)
    assert member.get(reverse("volunteering:team_create")).status_code == 404
    assert member.get(reverse("volunteering:post_create")).status_code == 404


def test_a_member_joins_and_leaves_a_team_and_is_told(vol, world, login):
    client = login(world.users.member)
    joined = client.post(reverse("volunteering:team_join", args=[vol.team.public_id]), follow=True)
    assert f"已加入「{vol.team.name}」。" in joined.content.decode()
    again = client.post(reverse("volunteering:team_join", args=[vol.team.public_id]), follow=True)
    assert f"已是「{vol.team.name}」的队员。" in again.content.decode()  # the refusal, not a second row
    assert vol.team.members.filter(user=world.users.member).count() == 1
    left = client.post(reverse("volunteering:team_leave", args=[vol.team.public_id]), follow=True)
    assert f"已退出「{vol.team.name}」。" in left.content.decode()
    assert not vol.team.members.filter(user=world.users.member, left_at__isnull=True).exists()


def test_it_keeps_the_list_pages_bounded(vol, world, count_queries):
    u = world.users
    for n in range(3):
        t = services.team_create(actor=u.community_worker, community=world.c1, name=f"队{n}")
        services.team_join(actor=u.member, team=t)
        link = services.team_activity_create(
            actor=u.community_worker, team=t, title=f"活动{n}", start=vol.activity.start, end=vol.activity.end
        )
        center_services.signup_create(actor=u.member, activity=link.activity)
        center_services.signup_create(actor=u.resident, activity=link.activity)
        shift = services.shift_create(
            actor=u.community_worker, post=vol.post, start=vol.shift.start, end=vol.shift.end, capacity=2
        )
        services.shift_signup_create(actor=u.member, shift=shift, now=vol.now)
    pages = {
        "home": (u.community_worker, reverse("volunteering:home")),
        "home_member": (u.member, reverse("volunteering:home")),
        "team": (u.community_worker, reverse("volunteering:team_detail", args=[vol.team.public_id])),
        "attendance": (u.community_worker, reverse("volunteering:attendance", args=[vol.activity.public_id])),
        "post": (u.community_worker, reverse("volunteering:post_detail", args=[vol.post.public_id])),
        "mine": (u.member, reverse("volunteering:mine")),
    }
    small = {k: count_queries(user, url) for k, (user, url) in pages.items()}
    for n in range(3, 8):
        t = services.team_create(actor=u.community_worker, community=world.c1, name=f"队{n}")
        services.team_join(actor=u.member, team=t)
        link = services.team_activity_create(
            actor=u.community_worker, team=t, title=f"活动{n}", start=vol.activity.start, end=vol.activity.end
        )
        center_services.signup_create(actor=u.member, activity=link.activity)
        shift = services.shift_create(
            actor=u.community_worker, post=vol.post, start=vol.shift.start, end=vol.shift.end, capacity=2
        )
        services.shift_signup_create(actor=u.member, shift=shift, now=vol.now)
        services.shift_signup_create(actor=u.resident, shift=shift, now=vol.now)
    for k, (user, url) in pages.items():
        assert count_queries(user, url) == small[k], k
    assert Team.objects.filter(area=world.c1).count() == 13
