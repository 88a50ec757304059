"""欠交提醒: members who owe are told how much, their branch's officers how many and who has gone the
district's backpay limit; a second run in the month rewrites the same messages."""

from dangjian.dues import rules, services
from dangjian.dues.models import DuesMonth
from dangjian.dues.reminders import EVENT_BRANCH, EVENT_MEMBER, arrears_remind
from dangjian.dues.tasks import dues_arrears_reminder
from dangjian.notifications.kinds import label_of
from dangjian.notifications.models import Message

from .conftest import MONTH, set_base


def test_members_who_owe_and_their_branch_are_told_once_a_month(dues_world):
    w = dues_world
    set_base(w.paying, pay="4000", month=MONTH)  # 40.00 a month
    set_base(w.other, pay="12000", month=MONTH)  # 240.00 a month (2 %), no account: not told, but counted
    for i in range(6):
        services.charge(member=w.paying, month=rules.add_months(MONTH, i))
        services.charge(member=w.other, month=rules.add_months(MONTH, i))
    last = rules.add_months(MONTH, 5)
    for i in range(5):  # 王红 pays all but the last month
        dues = DuesMonth.objects.get(member=w.paying, month=rules.add_months(MONTH, i))
        services.payment_record(actor=None, dues=dues, amount=dues.outstanding, key=f"r-{i}-paid")
    result = arrears_remind(month=last)
    assert result == {"members_owing": 2, "members_told": 1, "officers_told": 1}
    mine = Message.objects.get(recipient=w.world.users.member, event=EVENT_MEMBER)
    assert mine.title == "党费提醒：您有 1 个月党费未交清，共 40.00 元"
    assert "2026-08" in mine.body and mine.url == "/dues/"
    branch = Message.objects.get(recipient=w.officer, event=EVENT_BRANCH)
    assert "2 名党员欠交党费，共 1480.00 元" in branch.title  # 40 + 6 × 240
    assert "1 人已有 6 个月以上未交清（李强）" in branch.body  # the default limit is 6
    assert label_of(EVENT_MEMBER) == "党费欠交提醒"
    # The other branch's secretary hears nothing; a second run rewrites, it does not add.
    assert not Message.objects.filter(recipient=w.officer3).exists()
    arrears_remind(month=last)
    assert Message.objects.filter(event__startswith="dues.arrears").count() == 2


def test_nobody_owing_tells_nobody(dues_world):
    assert arrears_remind(month=MONTH)["members_owing"] == 0
    assert dues_arrears_reminder.call_local() == 0
    assert not Message.objects.exists()
