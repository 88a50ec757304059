from django.urls import reverse

from dangjian.territory import services as territory_services


def test_every_role_gets_a_home_with_todo(world, login):
    for user in vars(world.users).values():
        response = login(user).get(reverse("dashboard:home"))
        assert response.status_code == 200
        assert "今日待办" in response.content.decode()


def test_home_shows_the_scope_summary_and_menu_for_the_role(world, login):
    body = login(world.users.subdistrict_admin).get(reverse("dashboard:home")).content.decode()
    assert "拱北街道 概况" in body and 'data-nav="territory"' in body and 'data-nav="audit"' not in body
    body = login(world.users.district_admin).get(reverse("dashboard:home")).content.decode()
    assert 'data-nav="audit"' in body
    body = login(world.users.resident).get(reverse("dashboard:home")).content.decode()
    assert 'data-nav="territory"' not in body and "婆石社区" in body


def test_todo_lists_missing_grid_boundaries_in_scope(world, login):
    territory_services.area_create(actor=None, level="grid", name="未画网格", parent=world.c1)
    client = login(world.users.community_worker)
    body = client.get(reverse("dashboard:home")).content.decode()
    assert "网格尚未绘制边界" in body
    listing = client.get(reverse("territory:tree"), {"missing": "boundary"}).content.decode()
    assert "未画网格" in listing
    assert (
        "网格尚未绘制边界"
        not in login(world.users.community_worker_outsider).get(reverse("dashboard:home")).content.decode()
    )


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(reverse("dashboard:home"))
    assert response.status_code == 302 and reverse("accounts:login") in response.url
    response = client.get(reverse("territory:tree"))
    assert response.status_code == 302
