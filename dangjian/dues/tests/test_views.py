"""The dues pages: scope (owner, colleague in scope, outsider 404), masking, query counts, idempotent
writes from the phone."""

from decimal import Decimal

from django.urls import reverse

from dangjian.dues import rules, services, views
from dangjian.dues.models import DuesMonth, Payment, Remittance
from dangjian.people.models import Member

from .conftest import MONTH, set_base

REPLAYED = "这次提交已处理，未重复提交。"


def _charged(w, months=1):
    set_base(w.paying, pay="4000", month=MONTH)
    set_base(w.other, pay="12000", month=MONTH)
    out = []
    for i in range(months):
        out.append(services.charge(member=w.paying, month=rules.add_months(MONTH, i)))
        services.charge(member=w.other, month=rules.add_months(MONTH, i))
    return out


def test_the_branch_pages_are_scoped(dues_world, assert_scoped):
    w = dues_world
    dues = _charged(w)[0]
    users = w.world.users
    for url in (
        reverse("dues:sheet", args=[w.eb.public_id]) + "?month=2026-03",
        reverse("dues:sheet_pay", args=[w.eb.public_id, dues.public_id]),
        reverse("dues:branch_base", args=[w.eb.public_id, w.other.public_id]),
    ):
        assert_scoped(url, owner=w.officer, colleague=users.community_worker, outsider=w.officer3)
        assert_scoped(url, owner=users.subdistrict_admin, outsider=users.community_worker_outsider)
    # The sheet of another branch's month, reached through this branch: 404.
    far = services.charge(member=w.far, month=MONTH) or services.charge(
        member=set_base(w.far, pay="3000", month=MONTH).member, month=MONTH
    )
    assert_scoped(
        reverse("dues:sheet_pay", args=[w.eb3.public_id, far.public_id]),
        owner=w.officer3,
        outsider=w.officer,
    )


def test_the_member_page_shows_only_their_own_dues(dues_world, login):
    w = dues_world
    _charged(w)
    page = login(w.world.users.member).get(reverse("dues:mine")).content.decode()
    assert "40.00" in page and "120.00" not in page  # 李强's 1 % of 12000... is 240; his month is not here
    assert "4000.00" not in page  # the pay is masked
    assert 'name="idempotency_key"' in page


def test_the_pay_is_masked_and_revealed_with_an_audit_row(dues_world, login, assert_scoped):
    w = dues_world
    base = set_base(w.other, pay="12345", month=MONTH)
    page = login(w.officer).get(reverse("dues:branch_base", args=[w.eb.public_id, w.other.public_id])).content.decode()
    assert "12345.00" not in page and "****" in page
    url = reverse("dues:base_reveal", args=[base.public_id])
    assert_scoped(url, owner=w.officer, outsider=w.officer3, method="post", expect_text="12345.00")


def test_figures_and_export_are_for_workers(dues_world, login):
    _charged(dues_world)
    users = dues_world.world.users
    page = login(users.community_worker).get(reverse("dues:figures") + "?period=this_year")
    assert page.status_code == 200
    assert login(users.resident).get(reverse("dues:figures")).status_code == 404
    export = login(users.community_worker).get(reverse("imports:export_dues"))
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_sheet_costs_the_same_for_more_members(dues_world, count_queries):
    w = dues_world
    _charged(w)
    url = reverse("dues:sheet", args=[w.eb.public_id]) + "?month=2026-03"
    few = count_queries(w.officer, url)
    for i in range(30):
        m = Member.objects.create(name=f"党员{i:02d}", org=w.eb)
        set_base(m, pay=str(2000 + i * 300), month=MONTH)
        services.charge(member=m, month=MONTH)
    assert count_queries(w.officer, url) == few
    branches = count_queries(w.officer, reverse("dues:branches"))
    assert branches <= 12


def test_the_phone_writes_are_idempotent():
    for view in (
        views.mine_pay,
        views.mine_base,
        views.sheet_pay,
        views.sheet_run,
        views.remit,
        views.branch_base,
        views.sheet_collect,
    ):
        assert getattr(view, "idempotent", False) is True, view.__name__


def test_a_retried_payment_from_the_phone_is_written_once(dues_world, login):
    w = dues_world
    _charged(w, months=2)
    client = login(w.world.users.member)
    data = {"channel": "wechat", "extra": "", "external_ref": "", "idempotency_key": "pay-key-1"}
    first = client.post(reverse("dues:mine_pay"), data)
    retry = client.post(reverse("dues:mine_pay"), data)
    assert first["Location"] == retry["Location"] and retry["Idempotent-Replayed"] == "true"
    assert Payment.objects.filter(member=w.paying).count() == 2
    assert all(d.settled for d in DuesMonth.objects.filter(member=w.paying))


def test_the_branch_records_a_payment_and_remits(dues_world, login):
    w = dues_world
    _charged(w)
    dues = DuesMonth.objects.get(member=w.other, month=MONTH)
    client = login(w.officer)
    url = reverse("dues:sheet_pay", args=[w.eb.public_id, dues.public_id])
    response = client.post(url, {"amount": "240", "channel": "cash", "idempotency_key": "branch-pay-1"})
    assert response.status_code == 302
    dues.refresh_from_db()
    assert dues.settled
    remit_url = reverse("dues:remit", args=[w.eb.public_id])
    refused = client.post(remit_url, {"amount": "500", "confirmed": "on", "idempotency_key": "remit-key-1"})
    assert refused.status_code == 200 and "留存党费不足" in refused.content.decode()
    done = client.post(remit_url, {"amount": "240", "confirmed": "on", "idempotency_key": "remit-key-2"})
    assert done.status_code == 302
    assert Remittance.objects.get().amount == Decimal("240.00")


def test_the_monthly_sheet_prints(dues_world, login):
    _charged(dues_world)
    response = login(dues_world.officer).get(
        reverse("dues:sheet_pdf", args=[dues_world.eb.public_id]) + "?month=2026-03"
    )
    assert response.status_code == 200
    assert response["Content-Type"] in ("application/pdf", "text/html; charset=utf-8")


def test_the_branch_collects_the_ticked_months_in_one_go(dues_world, login, assert_scoped):
    w = dues_world
    _charged(w)
    mine, theirs = (DuesMonth.objects.get(member=m, month=MONTH) for m in (w.paying, w.other))
    far = services.charge(member=set_base(w.far, pay="3000", month=MONTH).member, month=MONTH)
    url = reverse("dues:sheet_collect", args=[w.eb.public_id])
    client = login(w.officer)
    data = {"month": "2026-03", "channel": "cash", "dues": [str(mine.public_id)], "idempotency_key": "collect-1"}
    unconfirmed = client.post(url, data)
    assert unconfirmed.status_code == 200 and "请勾选确认已收齐党费" in unconfirmed.content.decode()
    nothing = client.post(url, {**data, "dues": [], "confirmed": "on", "idempotency_key": "collect-2"})
    assert "请勾选要登记的党员" in nothing.content.decode()
    # Another branch's month and a malformed id are ignored, not recorded.
    ticked = {**data, "dues": [str(mine.public_id), str(far.public_id), "x"], "confirmed": "on"}
    done = client.post(url, {**ticked, "idempotency_key": "collect-3"})
    assert done.status_code == 302
    mine.refresh_from_db(), theirs.refresh_from_db(), far.refresh_from_db()
    assert mine.settled and not theirs.settled and not far.settled
    assert Payment.objects.filter(dues=mine, recorded_as=Payment.RecordedAs.BRANCH).count() == 1
    assert services.held_balance(w.eb) == Decimal("40.00")
    # A retry of the same submission records nothing more.
    again = client.post(url, {**ticked, "idempotency_key": "collect-3"})
    assert again["Idempotent-Replayed"] == "true" and Payment.objects.count() == 1
    # Owner and colleague get the sheet back (nothing ticked); the other branch's secretary gets 404.
    assert_scoped(url, owner=w.officer, colleague=w.world.users.community_worker, outsider=w.officer3, method="post")
    assert Payment.objects.count() == 1
