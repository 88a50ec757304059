"""Unit kinds are data, editable per district, the built-in kinds being the defaults (seed 004: 律所 and
五类大型企业; seeds 001/002: 商圈、园区 and 行业党委 host units)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dangjian.territory import services as territory_services
from dangjian.units import coverage as unit_coverage
from dangjian.units import services
from dangjian.units.forms import UnitForm
from dangjian.units.models import ResidentUnit, UnitKindOption


def _kinds(communities) -> dict[str, str]:
    return dict(UnitForm(communities=communities).fields["kind"].choices)


def test_the_defaults_keep_the_built_in_kinds_and_add_the_seeds(world):
    kinds = _kinds(world.c1.__class__.objects.filter(pk=world.c1.pk))
    assert kinds["enterprise"] == "非公企业" and kinds["owners_committee"] == "业委会"
    for name in ("律师事务所", "五类大型企业", "商圈市场", "园区", "行业党委挂靠单位"):
        assert name in kinds.values()


def test_a_district_adds_its_own_kind_beside_the_defaults_and_switches_one_off(world, login):
    UnitKindOption.objects.create(district=world.district, code="lawyers_association", name="律师协会", order=50)
    UnitKindOption.objects.create(district=world.district, code="hospital", name="医院", is_active=False)
    communities = world.c1.__class__.objects.filter(pk=world.c1.pk)
    kinds = _kinds(communities)
    assert kinds["lawyers_association"] == "律师协会" and "enterprise" in kinds and "hospital" not in kinds
    unit = services.unit_create(actor=None, name="香洲区律师协会", kind="lawyers_association", community=world.c1)
    assert unit.get_kind_display() == "律师协会"
    body = login(world.users.community_worker).get(reverse("units:detail", args=[unit.public_id])).content.decode()
    assert "律师协会" in body
    rows = unit_coverage.kind_breakdown(ResidentUnit.objects.all(), rules=unit_coverage.area_rules(world.district))
    assert "律师协会" in [r.label for r in rows]
    # Another district does not offer it: the kind is refused with a clear message.
    other = territory_services.area_create(actor=None, level="district", name="金湾区", parent=None)
    town = territory_services.area_create(actor=None, level="subdistrict", name="三灶镇", parent=other)
    village = territory_services.area_create(actor=None, level="community", name="海澄社区", parent=town)
    with pytest.raises(ValidationError) as exc:
        services.unit_create(actor=None, name="外区律协", kind="lawyers_association", community=village)
    assert "「lawyers_association」不是本区可选的单位类型" in exc.value.message_dict["kind"][0]
    with pytest.raises(ValidationError):
        services.unit_create(actor=None, name="婆石医院", kind="hospital", community=world.c1)


def test_a_unit_of_a_seed_kind_is_created_from_the_page(world, login):
    client = login(world.users.community_worker)
    response = client.post(
        reverse("units:create"),
        {
            "name": "广东香洲律师事务所",
            "kind": "law_firm",
            "community": world.c1.pk,
            "staff_count": 12,
            "member_count": 4,
        },
    )
    assert response.status_code == 302
    unit = ResidentUnit.objects.get(name="广东香洲律师事务所")
    assert unit.kind == "law_firm" and unit.get_kind_display() == "律师事务所"
