"""case_submit: numbers, placement, the duty-list proposal, photos, idempotency, acceptance at the desk."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dangjian.audit.models import AuditEvent
from dangjian.cases.intake.services import case_submit
from dangjian.cases.models import (
    Case,
    CaseCategory,
    CaseCounter,
    CaseLog,
    CasePhoto,
    CasePolicy,
    CaseStatus,
    CategoryAttribute,
    Channel,
    DutyItem,
    Placement,
)
from dangjian.core import photos as core_photos
from dangjian.core.testing import run_at_once
from dangjian.open311.models import ApiClient, hash_key

# A tiny valid PNG (1x1) and JPEG/WebP headers: the type is judged by these bytes, not the name.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32

IN_G1A = (22.205, 113.505)
IN_G3 = (22.305, 113.605)
ON_G1A_G1B_BORDER = (22.205, 113.51)
NOWHERE = (22.25, 113.70)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def category(code="garbage"):
    return CaseCategory.objects.get(code=code)


def submit(actor, **kwargs):
    kwargs.setdefault("channel", Channel.PHONE)
    kwargs.setdefault("category", category())
    kwargs.setdefault("description", "小区门口的垃圾堆了好几天没人清理，臭味很大")
    if "lat" not in kwargs and "grid" not in kwargs and "area" not in kwargs:
        kwargs["lat"], kwargs["lng"] = IN_G1A
    return case_submit(actor=actor, **kwargs)


def photo(content=PNG, name="p.png"):
    return SimpleUploadedFile(name, content, content_type="image/png")


def messages(exc_info, field):
    return " ".join(exc_info.value.message_dict[field])


# --- numbers ----------------------------------------------------------------


def test_it_numbers_cases_per_day_with_the_district_prefix(world):
    CasePolicy.objects.create(district=world.district, number_prefix="GB")
    first = submit(world.users.resident)
    second = submit(world.users.resident, description="路灯坏了")
    day = timezone.localdate().strftime("%Y%m%d")
    assert (first.number, second.number) == (f"GB-{day}-0001", f"GB-{day}-0002")
    assert CaseCounter.objects.get(day=timezone.localdate()).last == 2


def test_it_starts_a_new_sequence_each_day(world):
    yesterday = timezone.localdate() - timezone.timedelta(days=1)
    CaseCounter.objects.create(day=yesterday, last=41)
    case = submit(world.users.resident)
    assert case.number.endswith("-0001")
    assert CaseCounter.objects.get(day=yesterday).last == 41


@pytest.mark.django_db(transaction=True)
def test_it_gives_concurrent_submits_distinct_consecutive_numbers(world):
    # No counter row for today yet: the first-of-day insert race is part of what is tested.
    assert not CaseCounter.objects.exists()
    n = 8
    results = run_at_once(
        *[lambda i=i: submit(world.users.resident, description=f"第{i}处垃圾没人清理") for i in range(n)]
    )
    assert all(kind == "ok" for kind, _value in results), results
    numbers = sorted(Case.objects.values_list("number", flat=True))
    assert [int(x.rsplit("-", 1)[1]) for x in numbers] == list(range(1, n + 1))
    assert CaseCounter.objects.get().last == n


# --- placement --------------------------------------------------------------


def test_it_places_a_point_inside_a_grid_in_the_whole_tree(world):
    case = submit(world.users.resident)
    assert case.placement == Placement.POINT
    assert (case.grid, case.community, case.subdistrict, case.district) == (
        world.g1a,
        world.c1,
        world.s1,
        world.district,
    )
    assert case.area_path == world.g1a.path
    assert case.reporter == world.users.resident


def test_it_places_a_border_point_by_the_rule_and_tells_the_dispatcher(world):
    case = submit(world.users.resident, lat=ON_G1A_G1B_BORDER[0], lng=ON_G1A_G1B_BORDER[1])
    assert case.placement == Placement.BORDER and case.grid == world.g1a
    note = CaseLog.objects.get(case=case, public=False).note
    assert "婆石第一网格、婆石第二网格" in note and "网格边界" in note


def test_it_takes_a_point_outside_every_grid_and_parks_it_at_the_district(world):
    case = submit(world.users.resident, lat=NOWHERE[0], lng=NOWHERE[1])
    assert case.placement == Placement.OUTSIDE
    assert case.grid is None and case.community is None and case.subdistrict is None
    assert case.district == world.district and case.area_path == world.district.path
    assert case.status == CaseStatus.SUBMITTED
    hidden = CaseLog.objects.get(case=case, public=False)
    assert "不在任何网格内" in hidden.note and "请人工定位" in hidden.note
    # The resident's steps do not show the dispatcher's notes.
    assert list(case.log.filter(public=True).values_list("step", flat=True)) == ["submit"]


def test_it_refuses_an_outside_point_when_nobody_knows_the_district(world):
    with pytest.raises(ValidationError) as exc:
        submit(world.users.nobody, lat=NOWHERE[0], lng=NOWHERE[1])
    assert "不在任何网格内" in messages(exc, "lat")


def test_it_places_a_grid_or_a_community_chosen_by_hand(world):
    worker = world.users.community_worker
    by_grid = submit(worker, channel=Channel.HOTLINE, grid=world.g1b, lat=IN_G1A[0], lng=IN_G1A[1])
    assert (by_grid.placement, by_grid.grid, by_grid.community) == (Placement.MANUAL, world.g1b, world.c1)
    by_community = submit(worker, channel=Channel.WALK_IN, area=world.c1, address="中珠新村 3 栋")
    assert (by_community.placement, by_community.grid, by_community.community) == (Placement.MANUAL, None, world.c1)
    assert by_community.subdistrict == world.s1 and by_community.area_path == world.c1.path
    assert by_community.reporter is None  # the operator is not the one who called


def test_it_asks_for_a_place_when_there_is_none(world):
    with pytest.raises(ValidationError) as exc:
        case_submit(actor=world.users.community_worker, channel=Channel.HOTLINE, category=category(), description="x")
    assert "请在地图上标出位置，或选择所在社区" in messages(exc, "area")
    with pytest.raises(ValidationError) as exc:
        submit(world.users.community_worker, grid=world.c1)
    assert "请选择一个网格" in messages(exc, "grid")


def test_it_refuses_bad_inputs_with_field_messages(world):
    with pytest.raises(ValidationError) as exc:
        case_submit(
            actor=world.users.resident,
            channel="fax",
            category="no-such",
            description="  ",
            lat=22.2,
            reporter_phone="12345",
        )
    errors = exc.value.message_dict
    assert "来源无效" in errors["channel"][0]
    assert "请选择有效的事件类别" in errors["category"][0]
    assert "请描述反映的问题" in errors["description"][0]
    assert "经纬度须同时填写" in errors["lat"][0]
    assert not Case.objects.exists()


def test_it_checks_the_phone_and_keeps_a_landline(world):
    with pytest.raises(ValidationError) as exc:
        submit(world.users.community_worker, channel=Channel.HOTLINE, reporter_phone="1381234")
    assert "手机号" in messages(exc, "reporter_phone")
    case = submit(world.users.community_worker, channel=Channel.HOTLINE, reporter_phone="0756-2123456")
    assert case.reporter_phone == "07562123456"


def test_it_fills_the_reporter_from_the_resident_account(world):
    resident = world.users.resident
    resident.mobile, resident.full_name = "13800138000", "居民甲"
    resident.save()
    case = submit(resident)
    assert (case.reporter_name, case.reporter_phone, case.channel) == ("居民甲", "13800138000", Channel.PHONE)


def test_it_keeps_the_answers_to_the_category_questions(world):
    cat = category("illegal_parking")
    CategoryAttribute.objects.create(category=cat, code="plate", description="车牌号", required=True)
    CategoryAttribute.objects.create(
        category=cat,
        code="kind",
        description="车辆类型",
        datatype="singlevaluelist",
        values=[{"key": "car", "name": "小汽车"}, {"key": "bike", "name": "电动车"}],
    )
    with pytest.raises(ValidationError) as exc:
        submit(world.users.resident, category=cat, attributes={"kind": "truck"})
    assert "请填写「车牌号」" in messages(exc, "attributes") and "「车辆类型」的选项无效" in messages(exc, "attributes")
    case = submit(world.users.resident, category=cat, attributes={"plate": "粤C12345", "kind": "car", "junk": 1})
    assert case.attributes == {"plate": "粤C12345", "kind": "car"}


# --- duty list --------------------------------------------------------------


def test_it_proposes_the_first_duty_item_of_the_subdistrict_for_the_category(world):
    garbage = category("garbage")
    later = DutyItem.objects.create(
        subdistrict=world.s1, name="生活垃圾清运", duty_area="order", lead_department=world.dept2, sort=2
    )
    first = DutyItem.objects.create(
        subdistrict=world.s1, name="环境卫生整治", duty_area="enforcement", lead_department=world.dept, sort=1
    )
    other_street = DutyItem.objects.create(
        subdistrict=world.s2, name="垃圾清运", duty_area="order", lead_department=world.dept2
    )
    for item in (later, first, other_street):
        item.categories.add(garbage)
    case = submit(world.users.resident)
    assert case.duty_item == first
    assert "环境卫生整治" in CaseLog.objects.get(case=case, public=False).note
    in_s2 = submit(world.users.resident, lat=IN_G3[0], lng=IN_G3[1])
    assert in_s2.duty_item == other_street
    no_item = submit(world.users.resident, category=category("noise"), description="楼上装修噪音很大")
    assert no_item.duty_item is None


# --- photos -----------------------------------------------------------------


def test_it_keeps_jpeg_png_and_webp_photos(world):
    case = submit(
        world.users.resident,
        photos=[photo(PNG, "a.png"), photo(JPEG, "b.jpg"), photo(WEBP, "c.webp")],
        media_urls=["https://example.org/x.jpg"],
    )
    stored = list(CasePhoto.objects.filter(case=case))
    assert len(stored) == 4 and all(p.stage == CasePhoto.Stage.REPORT for p in stored)
    files = [p for p in stored if p.file]
    assert sorted(p.file.name.rsplit(".", 1)[1] for p in files) == ["jpg", "png", "webp"]
    assert files[0].file.read() in (PNG, JPEG, WEBP)
    assert [p.media_url for p in stored if not p.file] == ["https://example.org/x.jpg"]


def test_it_refuses_a_file_that_is_not_an_image_whatever_its_name(world):
    with pytest.raises(ValidationError) as exc:
        submit(world.users.resident, photos=[photo(PNG, "ok.png"), photo(b"%PDF-1.7 not a picture", "evil.jpg")])
    assert "「evil.jpg」不是 JPEG、PNG 或 WebP 格式的图片" in messages(exc, "photos")
    assert not Case.objects.exists() and not CasePhoto.objects.exists()


def test_it_refuses_too_many_or_too_large_photos(world, monkeypatch):
    with pytest.raises(ValidationError) as exc:
        submit(world.users.resident, photos=[photo() for _i in range(7)])
    assert "最多上传 6 张照片" in messages(exc, "photos")
    monkeypatch.setattr(core_photos, "MAX_BYTES", 1024 * 1024)
    big = SimpleUploadedFile("big.png", PNG + b"\x00" * (1024 * 1024), content_type="image/png")
    with pytest.raises(ValidationError) as exc:
        submit(world.users.resident, photos=[big])
    assert "照片「big.png」超过 1 MB" in messages(exc, "photos")
    # A stream without a size is measured by reading it.
    stream = io.BytesIO(PNG + b"\x00" * (1024 * 1024))
    stream.name = "stream.png"
    with pytest.raises(ValidationError) as exc:
        submit(world.users.resident, photos=[stream])
    assert "超过 1 MB" in messages(exc, "photos")
    with pytest.raises(ValidationError) as exc:
        submit(world.users.resident, media_urls=["javascript:alert(1)"])
    assert "照片地址无效" in messages(exc, "photos")
    assert not Case.objects.exists()


# --- idempotency ------------------------------------------------------------


@pytest.fixture
def api_client(world):
    return ApiClient.objects.create(
        name="12345 平台", district=world.district, key_prefix="abc", key_hash=hash_key("k")
    )


def test_it_answers_a_retried_request_with_the_first_case(world, api_client):
    first = submit(None, channel=Channel.API, client=api_client, idempotency_key="req-1", reporter_name="王")
    again = submit(None, channel=Channel.API, client=api_client, idempotency_key="req-1", reporter_name="王")
    other = submit(None, channel=Channel.API, client=api_client, idempotency_key="req-2")
    assert again.pk == first.pk and other.pk != first.pk
    assert Case.objects.count() == 2
    assert first.reporter is None and first.client == api_client
    assert AuditEvent.objects.filter(object_id=str(first.public_id), action="create").count() == 1


def test_it_ignores_a_key_without_a_client(world):
    first = submit(world.users.resident, idempotency_key="same")
    second = submit(world.users.resident, idempotency_key="same")
    assert first.pk != second.pk and first.idempotency_key == ""


def test_it_parks_an_api_case_outside_every_grid_at_the_clients_district(world, api_client):
    case = submit(None, channel=Channel.API, client=api_client, lat=NOWHERE[0], lng=NOWHERE[1])
    assert (case.placement, case.district) == (Placement.OUTSIDE, world.district)


@pytest.mark.django_db(transaction=True)
def test_it_makes_one_case_when_a_retry_races_the_first_request(world):
    api_client = ApiClient.objects.create(
        name="12345 平台", district=world.district, key_prefix="abc", key_hash=hash_key("k")
    )
    results = run_at_once(
        *[lambda: submit(None, channel=Channel.API, client=api_client, idempotency_key="race-1").pk for _i in range(4)]
    )
    assert all(kind == "ok" for kind, _value in results), results
    assert len({value for _kind, value in results}) == 1
    assert Case.objects.count() == 1
    # The losers gave their numbers back: the next case follows on.
    assert CaseCounter.objects.get().last == 1


# --- acceptance at entry ----------------------------------------------------


def test_it_accepts_a_desk_entry_with_the_operator_as_owner(world):
    worker = world.users.community_worker
    case = submit(worker, channel=Channel.HOTLINE, area=world.c1, reporter_name="李先生", accept=True)
    assert case.status == CaseStatus.ACCEPTED and case.owner == worker
    assert case.deadline is not None and case.accepted_at is not None
    assert list(case.log.values_list("step", flat=True)) == ["submit", "accept"]


def test_it_leaves_a_call_about_another_community_to_its_dispatchers(world):
    worker = world.users.community_worker  # works in c1
    case = submit(worker, channel=Channel.HOTLINE, area=world.c3, accept=True)
    assert case.status == CaseStatus.SUBMITTED and case.owner is None


def test_it_accepts_a_grid_workers_patrol_report_in_their_grid(world):
    worker = world.users.grid_worker  # grid g1a
    case = submit(worker, channel=Channel.PATROL, accept=True)
    assert (case.status, case.owner, case.reporter) == (CaseStatus.ACCEPTED, worker, worker)
    assert case.deadline is not None
    accept_log = case.log.get(step="accept")
    assert accept_log.actor == worker and "巡查上报" in accept_log.note
    elsewhere = submit(worker, channel=Channel.PATROL, lat=IN_G3[0], lng=IN_G3[1], accept=True)
    assert elsewhere.status == CaseStatus.SUBMITTED and elsewhere.owner is None


def test_it_writes_an_audit_row_and_a_public_submit_step(world):
    case = submit(world.users.resident)
    event = AuditEvent.objects.get(object_id=str(case.public_id))
    assert event.action == "create" and event.area_path == world.g1a.path
    log = case.log.get()
    assert log.public and log.step == "submit" and case.number in log.note
