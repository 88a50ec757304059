"""The demo step: demands in every state through the loop's services, moved into the past, with the
demo member credited hours and points, and figures that read non-zero. One build."""

import random

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.core import periods
from dangjian.demo import demands as demo_data
from dangjian.points.models import PointEntry
from dangjian.timebank.services import balance

from ..insight import figures
from ..models import Demand, DemandLog, DemandStatus


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo_demands(db, monkeypatch):
    from dangjian.demo import builder

    monkeypatch.setattr(
        builder,
        "DEMO_EXTENSIONS",
        ["dangjian.demo.people.build", "dangjian.demo.units.build", "dangjian.demo.registration.build"],
    )
    built = builder.build_demo_district()
    demo_data.build(random.Random(7), built)
    return built


def test_the_demo_has_demands_in_every_state_and_credits_the_demo_member(demo_demands, client):
    statuses = set(Demand.objects.values_list("status", flat=True))
    assert statuses == set(DemandStatus.values)
    assert Demand.objects.count() == demo_data.DEMANDS
    now = timezone.now()
    assert not Demand.objects.filter(submitted_at__gt=now).exists()
    assert Demand.objects.filter(submitted_at__lt=now - timezone.timedelta(days=30)).exists()
    first_log = DemandLog.objects.order_by("at").first()
    assert first_log.at < now - timezone.timedelta(days=10)
    dy = User.objects.get(username="dy_member")
    assert balance(dy) > 0
    assert PointEntry.objects.filter(member__user=dy).exists()
    assert Demand.objects.filter(status__in=["rated", "closed"], assigned_user=dy).exists()
    admin = User.objects.get(username="qu_admin")
    report = figures.demand_figures(
        user=admin, node=figures.default_node(admin), period=periods.period_for("custom",
        (now - timezone.timedelta(days=200)).date(), now.date()),
    )  # fmt: skip
    assert report.total.done > 20 and report.total.rated > 20 and report.total.hours > 0
    client.force_login(admin)
    assert client.get(reverse("demands:figures"), {"period": "this_year"}).status_code == 200
