"""The demo step: a district notice to every community's workers (partly signed, the demo worker's own
receipt left to sign), a community notice to its registered members, a public notice, a draft."""

import random

import pytest
from django.urls import reverse

from dangjian.accounts.models import RoleAssignment, User
from dangjian.core import integrity
from dangjian.demo import notices as demo_data
from dangjian.notices.models import Notice, NoticeReceipt, NoticeStatus
from dangjian.territory.models import Area


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo_notices(db, monkeypatch):
    from dangjian.demo import builder

    monkeypatch.setattr(
        builder,
        "DEMO_EXTENSIONS",
        ["dangjian.demo.people.build", "dangjian.demo.units.build", "dangjian.demo.registration.build"],
    )
    built = builder.build_demo_district()
    demo_data.build(random.Random(7), built)
    return built


def test_the_demo_notices_collect_receipts(demo_notices, client):
    district = Notice.objects.get(title=demo_data.DISTRICT_NOTICE[0])
    communities = Area.objects.filter(level="community").count()
    workers = RoleAssignment.objects.filter(role="community_worker").values("user").distinct().count()
    assert district.recipient_count == workers >= communities
    assert 0 < district.signed_count < district.recipient_count
    sq = User.objects.get(username="sq_worker")
    assert NoticeReceipt.objects.get(notice=district, user=sq).signed_at is None
    community = Notice.objects.get(title=demo_data.COMMUNITY_NOTICE[0])
    assert community.recipient_count >= 3 and community.signed_count == 2
    public = Notice.objects.get(title=demo_data.PUBLIC_NOTICE[0])
    assert public.is_public and public.status == NoticeStatus.PUBLISHED and public.recipient_count == 0
    assert Notice.objects.filter(status=NoticeStatus.DRAFT).count() == 1
    assert all(r.ok for r in integrity.run(["notices"])), [
        (r.check.name, r.findings) for r in integrity.run(["notices"])
    ]
    client.force_login(sq)
    assert demo_data.DISTRICT_NOTICE[0] in client.get(reverse("notices:mine")).content.decode()
    assert demo_data.COMMUNITY_NOTICE[0] in client.get(reverse("notices:list")).content.decode()
