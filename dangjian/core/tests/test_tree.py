import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.core.tree import STEP, ancestor_paths, decode_step, encode_step
from dangjian.orgs import selectors
from dangjian.orgs import services as org_services
from dangjian.orgs.models import PartyOrg
from dangjian.territory import services as territory_services
from dangjian.territory.models import Area


def assert_tree_consistent(model):
    by_pk = {n.pk: n for n in model.objects.all()}
    for node in by_pk.values():
        assert len(node.path) == node.depth * STEP
        if node.parent_id is None:
            assert node.depth == 1
        else:
            parent = by_pk[node.parent_id]
            assert node.path[:-STEP] == parent.path
            assert node.depth == parent.depth + 1


def test_it_encodes_steps_in_order():
    assert encode_step(1) == "0001"
    assert encode_step(36) == "0010"
    assert decode_step(encode_step(123456)) == 123456
    assert sorted(encode_step(n) for n in (3, 40, 1000)) == [encode_step(n) for n in (3, 40, 1000)]
    with pytest.raises(ValueError):
        encode_step(0)
    assert ancestor_paths("000100020003") == ["0001", "00010002"]


def test_it_counts_a_subtree_by_type_in_one_query(world):
    with CaptureQueriesContext(connection) as ctx:
        counts = selectors.subtree_counts_by_type(world.dc)
    assert len(ctx.captured_queries) == 1
    assert counts == {
        "district_committee": 1,
        "working_committee": 2,
        "expanded_committee": 1,
        "community_committee": 1,
        "estate_branch": 2,
        "building_group": 1,
        "hub_household": 1,
        "branch": 1,
    }
    assert selectors.subtree_counts_by_type(world.cc1, include_self=False) == {
        "estate_branch": 1,
        "building_group": 1,
        "hub_household": 1,
        "branch": 1,
    }


def test_it_keeps_subtree_reads_right_after_moving_an_organization(world):
    # Move 婆石社区大党委 (and its 4 descendants) from 拱北 to 吉大's working committee.
    org_services.org_move(actor=None, org=world.cc1, new_parent=world.wc2)
    world.cc1.refresh_from_db()
    assert world.cc1.parent == world.wc2
    assert set(world.wc2.subtree().values_list("name", flat=True)) == {
        "吉大街道党工委", "海虹社区党委", "海虹花园小区党支部",
        "婆石社区大党委", "中珠新村小区党支部", "1栋楼宇党小组", "1栋党员中心户", "口岸中心党支部",
    }  # fmt: skip
    assert list(world.wc1.subtree().values_list("name", flat=True)) == ["拱北街道党工委"]
    assert selectors.subtree_counts_by_type(world.wc2, include_self=False)["hub_household"] == 1
    assert_tree_consistent(PartyOrg)
    # A node created under the moved subtree later still gets a fresh, consistent path.
    new = org_services.org_create(
        actor=None, org_type="building_group", name="2栋楼宇党小组", parent=world.eb, area=world.c1
    )
    assert new.path.startswith(world.cc1.path)
    assert_tree_consistent(PartyOrg)


def test_it_refuses_to_move_a_node_under_itself(world):
    with pytest.raises(ValidationError):
        org_services.org_move(actor=None, org=world.wc1, new_parent=world.wc1)
    with pytest.raises(ValidationError):
        # The type rule refuses first: a working committee can't sit under an estate branch.
        org_services.org_move(actor=None, org=world.wc1, new_parent=world.eb)
    with pytest.raises(ValidationError):
        territory_services.area_move(actor=None, area=world.s1, new_parent=world.s1)


def test_it_moves_a_community_with_its_grids_to_another_subdistrict(world):
    territory_services.area_move(actor=None, area=world.c2, new_parent=world.s2)
    world.c2.refresh_from_db()
    world.g2.refresh_from_db()
    assert world.g2.path.startswith(world.c2.path) and world.c2.path.startswith(world.s2.path)
    assert set(world.s1.subtree(include_self=False).values_list("name", flat=True)) == {
        "婆石社区",
        "婆石第一网格",
        "婆石第二网格",
    }
    assert_tree_consistent(Area)


@pytest.mark.django_db(transaction=True)
def test_it_gives_concurrent_children_distinct_paths():
    root = territory_services.area_create(actor=None, level="district", name="测试区", parent=None)
    errors = []

    def add(n):
        try:
            territory_services.area_create(actor=None, level="subdistrict", name=f"街道{n}", parent=root)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    paths = list(Area.objects.filter(parent=root).values_list("path", flat=True))
    assert len(paths) == len(set(paths)) == 6
    assert_tree_consistent(Area)


def test_the_subtree_range_covers_exactly_the_descendants():
    from dangjian.core.tree import MAX_STEP, path_upper_bound

    assert path_upper_bound("0001") == "0002"
    assert path_upper_bound("000Z") == "0010"
    assert path_upper_bound("0001" + encode_step(MAX_STEP)) == "0002"
    assert path_upper_bound(encode_step(MAX_STEP)) is None
    inside, outside = ["0001", "00010001", "0001ZZZZ0001"], ["0002", "0000ZZZZ", "00020001"]
    upper = path_upper_bound("0001")
    assert all("0001" <= p < upper for p in inside)
    assert not any("0001" <= p < upper for p in outside)


def test_subtree_reads_use_the_path_index_on_sqlite_and_postgresql(world):
    qs = world.wc1.subtree()
    sql = str(qs.query)
    assert "LIKE" not in sql.upper()
    plan = qs.explain()
    assert "orgs_partyorg" in plan
    if connection.vendor == "sqlite":
        assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, plan
