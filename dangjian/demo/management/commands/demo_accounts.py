from django.core.management.base import BaseCommand

from dangjian.accounts.models import User
from dangjian.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, EXTRA_ROLES


def site_url(host: str, port: str) -> str:
    """The address to open in a browser for a server listening on host:port."""
    if host in ("", "0.0.0.0", "::"):  # every interface: this machine reaches it on the loopback
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/"


class Command(BaseCommand):
    help = "Print the demo accounts (one per role) to sign in with."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="the address the server listens on (make run HOST=)")
        parser.add_argument("--port", default="8000", help="the port the server listens on (make run PORT=)")

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
        self.stdout.write(f"演示账号 / Demo accounts  —  {site_url(options['host'], options['port'])}")
        if options["host"] in ("0.0.0.0", "::"):
            self.stdout.write("已在所有网卡上监听：其他设备请用本机的 IP 地址访问 / listening on every interface")
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
