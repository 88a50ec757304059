"""双认领: units and in-service members claim from the phone, once per kind (a race decided by the
unique index); the claim is on the project, on the claimant's record, and a member's enters their points
at acceptance."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from dangjian.conftest import make_user
from dangjian.microprojects.models import Claim, Status
from dangjian.microprojects.services import claims
from dangjian.people.models import Member, MemberStatus
from dangjian.points.models import PointEntry

pytestmark = pytest.mark.django_db


def _member(world, user, status=MemberStatus.IN_SERVICE):
    return Member.objects.create(
        name="王党员", id_number="440402199001011234", org=world.bg, home_community=world.c1, user=user, status=status
    )


def test_a_unit_and_a_member_claim_parts_and_a_second_claim_is_refused(world, propose, advance):
    u = world.users
    project = advance(propose(), Status.APPROVED)
    member = _member(world, u.member)
    c1 = claims.claim_make(actor=u.unit_contact, project=project, kind="money", amount="5000", part="座椅款")
    c2 = claims.claim_make(actor=u.member, project=project, kind="labour", hours="6", part="安装搬运")
    assert (c1.unit, c1.claimant_name, c2.member, c2.hours) == (world.unit, "拱北口岸中心", member, Decimal("6.0"))
    with pytest.raises(ValidationError) as exc:
        claims.claim_make(actor=u.member, project=project, kind="labour", hours="2")
    assert "您已认领过" in " ".join(exc.value.messages)
    project.refresh_from_db()
    assert project.claims_count == 2
    assert list(project.log.filter(step="claim").values_list("note", flat=True)) == [
        "拱北口岸中心 · 资金：座椅款",
        "王党员 · 人力：安装搬运",
    ]
    project = advance(project, Status.PUBLICIZING)
    entry = PointEntry.objects.get(member=member)
    assert entry.event_key == f"microprojects.claim:{c2.public_id}" and entry.quantity == Decimal("6")


def test_who_may_claim_and_when(world, propose, advance):
    u = world.users
    project = propose()
    with pytest.raises(ValidationError) as exc:
        claims.claim_make(actor=u.unit_contact, project=project, kind="money", amount="100")
    assert "不在认领期" in " ".join(exc.value.messages)
    project = advance(project, Status.REVIEWING)
    for actor, words in (
        (u.resident, "只有驻区单位联络员和在职党员"),
        (u.community_worker, "只有驻区单位联络员和在职党员"),
    ):
        with pytest.raises(ValidationError) as exc:
            claims.claim_make(actor=actor, project=project, kind="labour", hours="1")
        assert words in " ".join(exc.value.messages)
    _member(world, u.member, status=MemberStatus.RETIRED)
    with pytest.raises(ValidationError) as exc:
        claims.claim_make(actor=u.member, project=project, kind="labour", hours="1")
    assert "双认领面向在职党员" in " ".join(exc.value.messages)
    elsewhere = make_user("dy3", "party_member", home_community=world.c3)
    with pytest.raises(ValidationError) as exc:
        claims.claim_make(actor=elsewhere, project=project, kind="labour", hours="1")
    assert "只能认领本社区" in " ".join(exc.value.messages)
    with pytest.raises(ValidationError) as exc:
        claims.claim_make(actor=u.unit_contact, project=project, kind="materials")
    assert "请写明认领的物资" in " ".join(exc.value.messages)


@pytest.mark.django_db(transaction=True)
def test_two_racing_claims_of_one_kind_make_one(world, propose, advance):
    u = world.users
    project = advance(propose(), Status.REVIEWING)
    barrier, outcomes = threading.Barrier(2), []

    def claim():
        try:
            barrier.wait()
            claims.claim_make(actor=u.unit_contact, project=project, kind="materials", part="20 把椅子")
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(" ".join(exc.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=claim) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes)[0] == "ok" and "您已认领过" in sorted(outcomes)[1], outcomes
    assert Claim.objects.count() == 1
    project.refresh_from_db()
    assert project.claims_count == 1
