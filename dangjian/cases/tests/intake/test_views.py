"""Intake pages: the resident's form and cases, public tracking, the patrol report, the desk form."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse

from dangjian.cases.intake.services import case_submit
from dangjian.cases.models import Case, CaseCategory, CaseLog, CaseStatus, Channel, Placement
from dangjian.conftest import make_user
from dangjian.core.navigation import nav_for
from dangjian.registration.models import PublicFormAttempt

from .test_services import IN_G1A, IN_G3, PNG


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def garbage():
    return CaseCategory.objects.get(code="garbage")


def file_case(user, **kwargs):
    kwargs.setdefault("channel", Channel.PHONE)
    kwargs.setdefault("category", garbage())
    kwargs.setdefault("description", "楼下垃圾桶满了没人清运")
    kwargs.setdefault("reporter_phone", "13800135678")
    if "area" not in kwargs and "grid" not in kwargs:
        kwargs.setdefault("lat", IN_G1A[0])
        kwargs.setdefault("lng", IN_G1A[1])
    return case_submit(actor=user, **kwargs)


def report_data(**extra):
    data = {
        "category": "garbage",
        "description": "中珠新村门口垃圾堆了好几天没人清理",
        "lat": IN_G1A[0],
        "lng": IN_G1A[1],
        "address": "",
        "reporter_phone": "13800135678",
    }
    data.update(extra)
    return data


# --- resident form ----------------------------------------------------------------


def test_it_files_a_residents_report_with_a_photo_and_shows_the_number(world, login):
    client = login(world.users.resident)
    page = client.get(reverse("cases:report")).content.decode()
    assert "我要反映" in page and "使用我的位置" in page and "环境卫生" in page  # grouped categories
    photo = SimpleUploadedFile("垃圾.png", PNG, content_type="image/png")
    response = client.post(reverse("cases:report"), {**report_data(), "photos": [photo]})
    assert response.status_code == 302
    case = Case.objects.get()
    assert response["Location"] == reverse("cases:receipt", args=[case.public_id])
    assert (case.channel, case.reporter, case.grid, case.reporter_phone) == (
        Channel.PHONE,
        world.users.resident,
        world.g1a,
        "13800135678",
    )
    assert case.photos.count() == 1
    receipt = client.get(response["Location"]).content.decode()
    assert case.number in receipt and "已提交" in receipt and "婆石社区" in receipt


def test_it_places_an_address_only_report_in_the_residents_community(world, login):
    client = login(world.users.resident)
    response = client.post(reverse("cases:report"), report_data(lat="", lng="", address="中珠新村 3 栋"))
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.placement, case.community, case.grid) == (Placement.MANUAL, world.c1, None)


def test_a_report_without_pin_or_address_lands_in_the_residents_community(world, login):
    """The form says an unpinned report is filed in the resident's community: it is, for staff to place."""
    client = login(world.users.resident)
    page = client.get(reverse("cases:report")).content.decode()
    assert "不标记位置的反映登记在您所在的婆石社区" in page
    response = client.post(reverse("cases:report"), report_data(lat="", lng=""))
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.placement, case.community, case.grid) == (Placement.MANUAL, world.c1, None)


def test_a_refused_report_names_every_problem_at_once(world, login):
    """No pin (and no community to fall back on), no words and a fake photo: all three are reported."""
    client = login(make_user("jm9", "resident"))
    fake = SimpleUploadedFile("a.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    body = client.post(
        reverse("cases:report"), {**report_data(lat="", lng="", description=""), "photos": [fake]}
    ).content.decode()
    assert "请在地图上标出问题所在位置" in body
    assert "「a.jpg」不是 JPEG、PNG 或 WebP 格式的图片" in body
    assert "这个字段是必填项" in body
    assert not Case.objects.exists()


def test_it_asks_for_a_place_and_refuses_a_fake_photo(world, login):
    client = login(make_user("jm9", "resident"))  # no home community to file an unpinned report in
    body = client.post(reverse("cases:report"), report_data(lat="", lng="")).content.decode()
    assert "请在地图上标出问题所在位置" in body
    client = login(world.users.resident)
    fake = SimpleUploadedFile("a.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    body = client.post(reverse("cases:report"), {**report_data(), "photos": [fake]}).content.decode()
    assert "「a.jpg」不是 JPEG、PNG 或 WebP 格式的图片" in body
    body = client.post(reverse("cases:report"), report_data(reporter_phone="12")).content.decode()
    assert "手机号应为以 1 开头的 11 位数字" in body
    assert not Case.objects.exists()


def test_only_residents_and_members_reach_the_form(world, client, login):
    assert client.get(reverse("cases:report")).status_code == 302  # to sign in
    assert login(world.users.member).get(reverse("cases:report")).status_code == 200
    for user in (world.users.community_worker, world.users.grid_worker, world.users.department_staff):
        assert login(user).get(reverse("cases:report")).status_code == 404


def test_the_menu_offers_the_intake_pages_by_role(world):
    keys = lambda user: [i["key"] for i in nav_for(user)]  # noqa: E731
    assert {"case_report", "case_mine"} <= set(keys(world.users.resident))
    assert "case_report" in keys(world.users.member) and "case_mine" not in keys(world.users.member)
    assert "case_patrol" in keys(world.users.grid_worker) and "case_report" not in keys(world.users.grid_worker)
    # The resident's phone bar: home, then asking for help and reporting a problem.
    primary = [i["key"] for i in nav_for(world.users.resident) if i["primary"]]
    assert primary[:3] == ["home", "demand_new", "case_report"]


# --- the resident's own cases -----------------------------------------------------


def test_it_lists_only_the_residents_own_cases_with_search(world, login):
    mine = file_case(world.users.resident)
    other_resident = make_user("jm2", "resident", home_community=world.c1)
    theirs = file_case(other_resident, description="路灯坏了")
    client = login(world.users.resident)
    page = client.get(reverse("cases:mine")).content.decode()
    assert mine.number in page and theirs.number not in page
    assert "待受理" in page
    assert mine.number not in client.get(reverse("cases:mine") + "?q=路灯").content.decode()
    assert mine.number in client.get(reverse("cases:mine") + "?state=open").content.decode()
    assert mine.number not in client.get(reverse("cases:mine") + "?state=done").content.decode()


def test_it_shows_an_empty_state(world, login):
    page = login(world.users.resident).get(reverse("cases:mine")).content.decode()
    assert "您还没有反映过问题" in page


def test_the_list_takes_a_bounded_number_of_queries(world, count_queries):
    file_case(world.users.resident)
    few = count_queries(world.users.resident, reverse("cases:mine"))
    for i in range(8):
        file_case(world.users.resident, description=f"第{i}处问题")
    assert count_queries(world.users.resident, reverse("cases:mine")) == few


def test_a_resident_reads_their_case_and_nobody_elses(world, assert_scoped):
    case = file_case(world.users.resident)
    other_resident = make_user("jm2", "resident", home_community=world.c1)
    assert_scoped(
        reverse("cases:mine_detail", args=[case.public_id]),
        owner=world.users.resident,
        outsider=other_resident,
        expect_text=case.number,
    )
    assert_scoped(
        reverse("cases:receipt", args=[case.public_id]),
        owner=world.users.resident,
        outsider=other_resident,
        expect_text=case.number,
    )


def test_the_resident_sees_public_steps_only(world, login):
    case = file_case(world.users.resident, lat=22.25, lng=113.70)  # outside every grid: a hidden note
    assert CaseLog.objects.filter(case=case, public=False).exists()
    page = login(world.users.resident).get(reverse("cases:mine_detail", args=[case.public_id])).content.decode()
    assert "登记" in page and "请人工定位" not in page and "待工作人员确定" in page


def closed_case(world):
    from dangjian.cases import services

    u = world.users
    case = file_case(u.resident)
    case = services.case_accept(actor=u.community_worker, case=case)
    case = services.case_dispatch(actor=u.community_worker, case=case, kind="department", department=world.dept)
    return services.case_close(actor=u.department_staff, case=case, result="已清运完毕")


def test_the_resident_rates_a_closed_case_and_that_is_its_callback(world, login):
    case = closed_case(world)
    url = reverse("cases:mine_detail", args=[case.public_id])
    client = login(world.users.resident)
    page = client.get(url).content.decode()
    assert 'data-testid="rating-form"' in page and "评价办理结果" in page and "不满意" in page
    response = client.post(url, {"version": case.version, "rating": "satisfied", "note": ""})
    assert response.status_code == 302 and response["Location"] == url
    case.refresh_from_db()
    assert (case.status, case.rating) == (CaseStatus.CALLED_BACK, "satisfied")
    step = CaseLog.objects.filter(case=case).last()
    assert (step.step, step.actor, step.note) == ("callback", world.users.resident, "满意")
    page = client.get(url).content.decode()
    assert 'data-testid="rating-form"' not in page and "您的评价：满意" in page
    # Rated once: a second post changes nothing and says why.
    again = client.post(url, {"version": case.version, "rating": "unsatisfied", "note": "再评"}, follow=True)
    assert "不能评价" in again.content.decode() and Case.objects.get(pk=case.pk).rating == "satisfied"


def test_an_unsatisfied_resident_says_why_and_the_case_is_handled_again(world, login):
    case = closed_case(world)
    url = reverse("cases:mine_detail", args=[case.public_id])
    client = login(world.users.resident)
    page = client.post(url, {"version": case.version, "rating": "unsatisfied", "note": ""}).content.decode()
    assert "请写下您不满意的地方" in page and Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED
    client.post(url, {"version": case.version, "rating": "unsatisfied", "note": "第二天又堆满了"})
    case.refresh_from_db()
    assert (case.status, case.reopen_count, case.rating) == (CaseStatus.ACCEPTED, 1, "unsatisfied")
    assert CaseLog.objects.filter(case=case).last().step == "reopen"
    # Another resident cannot rate it.
    other = make_user("jm3", "resident", home_community=world.c1)
    assert login(other).post(url, {"version": case.version, "rating": "satisfied"}).status_code == 404


def test_photos_are_served_to_who_may_read_the_case(world, assert_scoped):
    case = file_case(world.users.resident, photos=[SimpleUploadedFile("a.png", PNG)])
    photo = case.photos.get()
    assert_scoped(
        reverse("cases:photo", args=[photo.public_id]),
        owner=world.users.resident,
        colleague=world.users.community_worker,
        outsider=world.users.community_worker_outsider,
    )


def test_a_photo_is_its_bytes(world, login):
    case = file_case(world.users.resident, photos=[SimpleUploadedFile("a.png", PNG)])
    response = login(world.users.resident).get(reverse("cases:photo", args=[case.photos.get().public_id]))
    assert b"".join(response.streaming_content) == PNG
    assert response["X-Content-Type-Options"] == "nosniff"


# --- public tracking ----------------------------------------------------------------


def test_anyone_tracks_a_case_by_number_and_phone_tail_without_personal_data(world, client):
    case = file_case(world.users.resident, reporter_name="张三", address="中珠新村 3 栋 502")
    body = client.post(reverse("cases:track"), {"number": case.number.lower(), "phone_tail": "5678"}).content.decode()
    assert "待受理" in body and "登记" in body and case.number in body
    for secret in ("张三", "13800135678", "502", "楼下垃圾桶满了"):
        assert secret not in body


def test_a_wrong_number_or_phone_gets_the_same_answer(world, client):
    case = file_case(world.users.resident)
    wrong_phone = client.post(reverse("cases:track"), {"number": case.number, "phone_tail": "0000"}).content.decode()
    wrong_number = client.post(reverse("cases:track"), {"number": "XZ-20000101-0001", "phone_tail": "5678"})
    assert "未找到，请核对事件编号和联系电话后 4 位" in wrong_phone
    assert "未找到，请核对事件编号和联系电话后 4 位" in wrong_number.content.decode()
    assert "待受理" not in wrong_phone
    assert PublicFormAttempt.objects.filter(matched=False).count() == 2


def test_guessing_is_throttled(world, client, settings):
    settings.REGISTRATION_PUBLIC_MAX_MISSES = 3
    case = file_case(world.users.resident)
    for tail in ("0001", "0002", "0003"):
        client.post(reverse("cases:track"), {"number": case.number, "phone_tail": tail})
    blocked = client.post(reverse("cases:track"), {"number": case.number, "phone_tail": "5678"}).content.decode()
    assert "查询过于频繁" in blocked and "待受理" not in blocked
    # Another address is not held back.
    other = client.post(
        reverse("cases:track"), {"number": case.number, "phone_tail": "5678"}, REMOTE_ADDR="10.0.0.9"
    ).content.decode()
    assert "待受理" in other


def test_a_case_without_a_phone_cannot_be_tracked(world, client):
    case = file_case(world.users.community_worker, channel=Channel.HOTLINE, area=world.c1, reporter_phone="")
    body = client.post(reverse("cases:track"), {"number": case.number, "phone_tail": "0000"}).content.decode()
    assert "未找到" in body


# --- patrol ---------------------------------------------------------------------------


def test_a_grid_worker_reports_on_patrol_and_owns_the_case(world, login):
    client = login(world.users.grid_worker)
    assert "巡查上报" in client.get(reverse("cases:patrol")).content.decode()
    response = client.post(
        reverse("cases:patrol"),
        {"category": "fire_lane", "description": "3 栋楼道电动车充电飞线", "lat": IN_G1A[0], "lng": IN_G1A[1]},
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.channel, case.status, case.owner, case.grid) == (
        Channel.PATROL,
        CaseStatus.ACCEPTED,
        world.users.grid_worker,
        world.g1a,
    )
    receipt = client.get(response["Location"]).content.decode()
    assert case.number in receipt and "已上报" in receipt


def test_a_patrol_report_without_a_location_lands_in_the_workers_grid(world, login):
    client = login(world.users.grid_worker)
    client.post(reverse("cases:patrol"), {"category": "garbage", "description": "垃圾桶满溢", "address": "2 栋"})
    case = Case.objects.get()
    assert (case.grid, case.placement, case.status) == (world.g1a, Placement.MANUAL, CaseStatus.ACCEPTED)


def test_only_grid_workers_reach_the_patrol_form(world, login):
    for user in (world.users.resident, world.users.community_worker):
        assert login(user).get(reverse("cases:patrol")).status_code == 404


# --- desk ----------------------------------------------------------------------------


def desk_data(world, **extra):
    data = {
        "channel": "hotline",
        "reporter_name": "李先生",
        "reporter_phone": "0756-2123456",
        "category": "noise",
        "description": "楼上装修噪音很大，晚上十点还在施工",
        "address": "中珠新村 5 栋",
        "community": str(world.c1.public_id),
        "grid": "",
        "lat": "",
        "lng": "",
    }
    data.update(extra)
    return data


def test_a_community_worker_logs_a_hotline_call_and_becomes_the_owner(world, login):
    client = login(world.users.community_worker)
    page = client.get(reverse("cases:desk_new")).content.decode()
    assert "婆石第一网格" in page and "海虹社区" not in page  # only their own community's places
    response = client.post(reverse("cases:desk_new"), desk_data(world, grid=str(world.g1b.public_id)))
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.channel, case.status, case.owner, case.grid, case.placement) == (
        Channel.HOTLINE,
        CaseStatus.ACCEPTED,
        world.users.community_worker,
        world.g1b,
        Placement.MANUAL,
    )
    assert (case.reporter, case.reporter_name, case.reporter_phone) == (None, "李先生", "07562123456")
    try:
        expected = reverse("cases:detail", args=[case.public_id])
    except NoReverseMatch:  # the desk's case page is built alongside
        expected = reverse("cases:desk_new")
    assert response["Location"] == expected


def test_the_desk_places_a_walk_in_by_pin(world, login):
    client = login(world.users.subdistrict_admin)
    response = client.post(
        reverse("cases:desk_new"),
        desk_data(world, channel="walk_in", community="", lat=IN_G1A[0], lng=IN_G1A[1]),
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.channel, case.grid, case.placement, case.owner) == (
        Channel.WALK_IN,
        world.g1a,
        Placement.POINT,
        world.users.subdistrict_admin,
    )


def test_the_desk_refuses_a_place_outside_the_operators_scope_or_none(world, login):
    client = login(world.users.community_worker)
    body = client.post(reverse("cases:desk_new"), desk_data(world, community=str(world.c3.public_id))).content.decode()
    assert not Case.objects.exists() and "请选择所属社区，或在地图上标出位置" in body
    client.post(reverse("cases:desk_new"), desk_data(world, community=str(world.c1.public_id), grid="x"))
    assert not Case.objects.exists()
    body = client.post(reverse("cases:desk_new"), desk_data(world, community="")).content.decode()
    assert "请选择所属社区，或在地图上标出位置" in body


def test_a_pin_outside_the_operators_community_goes_to_its_own_dispatchers(world, login):
    client = login(world.users.community_worker)
    response = client.post(reverse("cases:desk_new"), desk_data(world, community="", lat=IN_G3[0], lng=IN_G3[1]))
    assert response["Location"] == reverse("cases:desk_new")
    case = Case.objects.get()
    assert (case.grid, case.status, case.owner) == (world.g3, CaseStatus.SUBMITTED, None)


def test_only_dispatchers_reach_the_desk_form(world, login):
    for user in (world.users.resident, world.users.grid_worker, world.users.department_staff):
        assert login(user).get(reverse("cases:desk_new")).status_code == 404


# --- locate --------------------------------------------------------------------------


def test_it_names_the_grid_under_a_pin(world, login):
    client = login(world.users.resident)
    inside = client.get(reverse("cases:locate"), {"lat": IN_G1A[0], "lng": IN_G1A[1]}).json()
    assert inside["message"] == "位于「婆石社区 · 婆石第一网格」" and inside["grid"] == str(world.g1a.public_id)
    outside = client.get(reverse("cases:locate"), {"lat": 22.25, "lng": 113.70}).json()
    assert outside["status"] == "outside"
    assert client.get(reverse("cases:locate"), {"lat": "x"}).status_code == 400
