from django.contrib.auth.models import Permission
from django.urls import reverse

from dangjian.audit.models import AuditEvent


def make_staff(user):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=["territory", "orgs", "audit"]))


def test_admin_is_chinese_and_scoped_for_non_superusers(world, login):
    admin_user = world.users.subdistrict_admin
    make_staff(admin_user)
    client = login(admin_user)
    body = client.get(reverse("admin:territory_area_changelist")).content.decode()
    assert "属地节点" in body and "婆石社区" in body and "海虹社区" not in body
    outside = reverse("admin:territory_area_change", args=[world.c3.pk])
    assert client.get(outside).status_code in (302, 404)  # admin redirects away from objects it cannot find
    assert "海虹" not in client.get(outside, follow=True).content.decode().split("messagelist")[0]


def test_admin_edits_are_audited(world, login):
    admin_user = world.users.district_admin
    make_staff(admin_user)
    client = login(admin_user)
    url = reverse("admin:territory_estate_change", args=[world.estate.pk])
    form = client.get(url).context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if k != "grids"}
    data.update(name="中珠新村（改）", community=world.c1.pk, grids=[world.g1a.pk])
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.filter(action="update", object_id=str(world.estate.public_id)).get()
    assert event.changes["name"] == ["中珠新村", "中珠新村（改）"] and event.actor == admin_user


def test_every_model_is_in_the_admin():
    from django.apps import apps
    from django.contrib import admin

    ours = [
        m
        for m in apps.get_models()
        if m._meta.app_label
        in {"core", "accounts", "territory", "units", "orgs", "audit", "people", "registration", "imports", "centers"}
    ]
    missing = [m.__name__ for m in ours if m not in admin.site._registry]
    assert missing == []
    assert all(str(m._meta.verbose_name) != m.__name__.lower() for m in ours)  # Chinese names, not class names


def test_system_tables_are_superuser_only(world, login):
    make_staff(world.users.district_admin)
    client = login(world.users.district_admin)
    assert client.get(reverse("admin:accounts_loginfailure_changelist")).status_code == 403
    assert client.get(reverse("admin:core_heartbeat_changelist")).status_code == 403
