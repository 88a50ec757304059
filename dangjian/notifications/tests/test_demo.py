"""The demo district's messages: its workflow history told the right people in the app by itself;
the demo step (demo/notifications.py) adds settings and a district template and sends no stale texts."""

import random

from django.contrib.auth import get_user_model

from dangjian.demo.notifications import build
from dangjian.notifications.models import Delivery, Message, MessageTemplate, Preference


def test_the_demo_history_told_its_people_in_the_app_only(demo):
    build(random.Random(1), None)
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["bm_staff", "jm_resident"])}
    staff = Message.objects.filter(recipient=users["bm_staff"])
    assert staff.filter(event="cases.case.dispatch").exists()
    assert not Message.objects.filter(fan_out_pending=True).exists() and not Delivery.objects.exists()
    assert Preference.objects.get(user=users["bm_staff"]).quiet_start is not None
    assert MessageTemplate.objects.filter(event="cases.case.dispatch", district__isnull=False).count() == 1
    build(random.Random(1), None)  # idempotent
    assert MessageTemplate.objects.count() == 1
