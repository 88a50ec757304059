from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from dangjian.conftest import make_user
from dangjian.people.models import MemberStatus
from dangjian.volunteering.models import Team

from ..models import DemandStatus
from ..suggest import suggest_for
from . import insight_fixtures as f


def _scene(world):
    w = world
    care = f.category("助老助残")
    target = f.demand(
        community=w.c1, estate=w.estate, building=w.building, grid=w.g1a, category_obj=care, title="陪老人看病"
    )
    zhang = f.member("张敏", community=w.c1, estate=w.estate, building=w.building, skills=["助老助残", "政策宣讲"])
    li = f.member("李强", community=w.c1, estate=w.estate)
    chen = f.member("陈芳", community=w.c1, skills=["助老助残"])
    wu = f.member("吴军", community=w.c3, skills=["助老助残"], registered_at=w.c1)
    f.member("赵刚", community=w.c1, estate=w.estate, status=MemberStatus.RETIRED)
    f.member("孙丽", community=w.c1, estate=w.estate, account=False)
    f.member("周杰", community=w.c3, estate=w.estate3)
    for _ in range(2):
        f.demand(community=w.c1, status=DemandStatus.TAKEN, assigned_member=li)
    for stars in (5, 5, 5, 5, 4):
        f.demand(community=w.c1, status=DemandStatus.RATED, assigned_member=chen, rating=stars, hours="1.5")
    team = Team.objects.create(name="婆石健康服务队", area=w.c1, fixed_group="health", leader=make_user("leader1"))
    f.demand(community=w.c1, status=DemandStatus.DISPATCHED, assigned_team=team)
    return target, {"zhang": zhang, "li": li, "chen": chen, "wu": wu, "team": team}


def test_it_ranks_neighbours_with_the_skill_first_and_explains_why(world):
    target, people = _scene(world)
    suggestions = suggest_for(target)
    assert [s.name for s in suggestions] == ["张敏", "陈芳", "李强", "拱北口岸中心", "婆石健康服务队"]
    top = suggestions[0]
    assert top.reasons == ["同住中珠新村 1栋", "特长：助老助残", "当前无在办需求"]
    assert top.parts == {"proximity": 50.0, "skill": 30.0} and top.score == 80.0
    chen = suggestions[1]
    assert "历史评价 4.8 星（5 次）" in chen.reasons and chen.parts["rating"] == 18.0
    li = suggestions[2]
    assert li.reasons == ["同住中珠新村", "当前承接 2 件"] and li.score == 24.0
    assert li.public_id == str(people["li"].public_id)
    unit, team = suggestions[3], suggestions[4]
    assert unit.kind == "unit" and "本社区驻区单位" in unit.reasons
    assert team.kind == "team" and team.reasons == ["志愿服务队（健康）", "当前承接 1 件"]


def test_it_leaves_out_retired_members_those_without_an_account_and_those_living_elsewhere(world):
    target, _people = _scene(world)
    names = {s.name for s in suggest_for(target, limit=50)}
    # 吴军 registered at 婆石 but lives in 海虹: the dispatch form does not offer him.
    assert not names & {"赵刚", "孙丽", "周杰", "吴军"}


def test_it_honours_the_limit_and_a_grid_match_without_an_estate(world):
    w = world
    grid_demand = f.demand(community=w.c1, grid=w.g1a)
    other = w.building.__class__.objects.create(community=w.c1, name="2栋", grid=w.g1a)
    f.member("钱多", community=w.c1, building=other)
    suggestions = suggest_for(grid_demand, limit=1)
    assert len(suggestions) == 1
    assert suggestions[0].name == "钱多" and suggestions[0].reasons[0] == "同在婆石第一网格"


def test_it_takes_a_fixed_number_of_queries_whatever_the_number_of_candidates(world):
    target, _people = _scene(world)
    with CaptureQueriesContext(connection) as few:
        suggest_for(target)
    for i in range(8):
        m = f.member(f"党员{i}", community=world.c1, estate=world.estate, skills=["助老助残"])
        f.demand(community=world.c1, status=DemandStatus.RATED, assigned_member=m, rating=4)
    with CaptureQueriesContext(connection) as many:
        assert len(suggest_for(target, limit=30)) == 13
    assert len(many.captured_queries) == len(few.captured_queries) <= 8


def test_the_list_renders_buttons_that_carry_the_assignee(world):
    target, people = _scene(world)
    html = render_to_string("demands/_suggestions.html", {"suggestions": suggest_for(target)})
    assert f'data-assignee-id="{people["zhang"].public_id}"' in html
    assert 'data-assignee-kind="member"' in html and 'data-assignee-kind="team"' in html
    assert "同住中珠新村 1栋" in html and "历史评价 4.8 星（5 次）" in html
    assert "本社区暂无可推荐" in render_to_string("demands/_suggestions.html", {"suggestions": []})


def test_the_list_shows_the_reasons_in_order_and_no_score(world):
    target, _people = _scene(world)
    suggestions = suggest_for(target)
    html = render_to_string("demands/_suggestions.html", {"suggestions": suggestions})
    li = next(s for s in suggestions if s.name == "李强")
    # The ranking has a score behind it; only the reasons reach the page, in the order they were given.
    assert "suggestion-score" not in html and "推荐分" not in html
    first, second = (html.index(f"<li>{r}</li>") for r in li.reasons)
    assert first < second


def test_a_newly_registered_skill_counts_before_the_community_confirms_it(world):
    from dangjian.registration.services import registration_submit_member

    care = f.category("助老助残")
    target = f.demand(community=world.c1, category_obj=care, title="陪老人看病")
    newcomer = f.member("刘新", community=world.c1)
    registration_submit_member(actor=None, member=newcomer, community=world.c1, skills=["助老助残"])
    top = next(s for s in suggest_for(target) if s.name == "刘新")
    assert "特长：助老助残" in top.reasons and top.parts["skill"] > 0
