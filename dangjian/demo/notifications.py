"""Demo message centre (a DEMO_EXTENSIONS step, after the domains' steps).

Must run after every step that takes workflow steps (last in DEMO_EXTENSIONS). The messages need
nothing here: every step the earlier demo steps took through take_step
told its people through the notifications receiver. This step gives a few demo accounts their own
settings (quiet hours, a muted kind, WeChat off) and the district an SMS template of its own, so the
settings page and the template override have something to show.
"""

from __future__ import annotations

import datetime
import random
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model

from dangjian.notifications.models import Channel, Message, MessageTemplate
from dangjian.notifications.services import preference_save
from dangjian.territory.models import Area, Level

if TYPE_CHECKING:
    from .builder import Built


def build(rng: random.Random, built: Built) -> None:
    # The demo's history (steps taken under the demo clock, days ago) is told in the app only: SMS and
    # WeChat go out for what people do from now on, never as a burst of stale texts at first start.
    Message.objects.filter(fan_out_pending=True).update(fan_out_pending=False)
    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=["sq_worker", "bm_staff", "jm_resident"])
    }
    if "bm_staff" in users:  # a department's staff: no texts at night
        preference_save(
            user=users["bm_staff"],
            muted=[],
            sms=True,
            wechat=False,
            quiet_start=datetime.time(22, 0),
            quiet_end=datetime.time(7, 0),
        )
    if "sq_worker" in users:  # a community worker who follows bookings on the desk, not in the inbox
        preference_save(
            user=users["sq_worker"], muted=["centers.booking"], sms=True, wechat=True, quiet_start=None, quiet_end=None
        )
    if "jm_resident" in users:  # a resident who wants only the in-app messages
        preference_save(user=users["jm_resident"], muted=[], sms=False, wechat=False, quiet_start=None, quiet_end=None)
    district = Area.objects.filter(level=Level.DISTRICT).order_by("path").first()
    if district is not None:
        MessageTemplate.objects.get_or_create(
            event="cases.case.dispatch",
            channel=Channel.SMS,
            district=district,
            defaults={
                "provider_template": "DEMO-1001",
                "title": "{object}派单",
                "body": f"【{district.name}】您单位有新派事件（{{object}}），请登录平台签收办理。",
            },
        )
