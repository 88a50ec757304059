from django.core.management.base import BaseCommand

from dangjian.accounts.models import User
from dangjian.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, EXTRA_ROLES


class Command(BaseCommand):
    help = "Print the demo accounts (one per role) to sign in with."

    def handle(self, *args, **options):
        existing = set(
            User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS]).values_list("username", flat=True)
        )
        if not existing:
            self.stdout.write(
                "没有演示账号（数据库不是由 demo_district 建立的）。 / No demo accounts in this database."
            )
            return
        self.stdout.write("")
        self.stdout.write("演示账号 / Demo accounts  —  http://127.0.0.1:8000/")
        self.stdout.write(f"密码 / password (all): {DEMO_PASSWORD}")
        self.stdout.write("-" * 72)
        for a in DEMO_ACCOUNTS:
            if a.username not in existing:
                continue
            extra = EXTRA_ROLES.get(a.username)
            note = "  (+ 党员, 可切换角色 / can switch role)" if extra else ""
            self.stdout.write(f"  {a.username:<12} {a.mobile:<12} {a.role_label:<10} {a.scope}{note}")
        self.stdout.write("-" * 72)
        self.stdout.write("也可用手机号登录 / You can also sign in with the mobile number.")
        self.stdout.write("")
