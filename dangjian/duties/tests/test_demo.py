"""The demo district's duty lists and admission: the sizes the seed quotes (38 → 23, 96 → 48) computed from
the versions, an admitted request, a task sent and partly replied, a task refused for lack of admission;
and the figures page reads the same from the store of facts."""

import pytest
from django.urls import reverse

from dangjian.accounts.models import User
from dangjian.duties import selectors
from dangjian.duties.models import AdmissionRequest, DownTask, DutyList, ListKind, SendRefusal

pytestmark = pytest.mark.django_db(transaction=True)


def sizes(duty_list):
    return [v.entry_count for v in duty_list.versions.order_by("number")]


def test_the_demo_lists_shrink_as_the_seed_says(demo, client):
    streets = DutyList.objects.filter(kind=ListKind.SUBDISTRICT_DUTIES)
    assert streets.count() >= 3
    assert {tuple(sizes(s)) for s in streets} == {(38, 23)}
    community = DutyList.objects.get(kind=ListKind.COMMUNITY_WORK)
    assert community.is_shared and sizes(community) == [96, 48]
    v1, v2 = community.versions.order_by("number")
    change = selectors.diff(v1, v2)
    assert (len(change.added), len(change.removed)) == (2, 50)
    assert v1.not_for_community == 18 and v2.not_for_community == 0
    street = streets.first()
    s1, s2 = street.versions.order_by("number")
    change = selectors.diff(s1, s2)
    assert (len(change.added), len(change.removed), len(change.changed)) == (2, 17, 1)
    assert "招商引资" in {e.name for e in change.removed}

    assert AdmissionRequest.objects.filter(status="admitted").count() == 1
    assert AdmissionRequest.objects.filter(status="submitted").count() == 1
    sent = DownTask.objects.get(status="sent")
    replied = sent.replies.filter(status="replied").count()
    assert 0 < replied < sent.replies.count()
    assert sent.replies.get(community__name="婆石社区").status == "pending"
    refused = SendRefusal.objects.get()
    assert refused.task.status == "draft" and refused.reason == "unadmitted"

    client.force_login(User.objects.get(username="qu_admin"))
    page = client.get(reverse("duties:list", args=[community.public_id])).content.decode()
    assert "96 项 → 48 项" in page and "新增 2 项，取消 50 项" in page
    home = client.get(reverse("duties:home")).context["fig"]
    assert (home["admissions"]["admitted"], home["admissions"]["pending"]) == (1, 1)
    assert (home["tasks"]["sent"], home["refusals"]["refused"]) == (1, 1)
    assert home["replies"]["replied"] == replied
    assert {label: n for label, n, _lists in home["sizes"]}["街道权责清单"] == 23 * streets.count()
