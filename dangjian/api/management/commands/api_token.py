"""manage.py api_token USERNAME [--role ROLE] [--name NAME]: issue a token; its text is the last line."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from dangjian.accounts.models import RoleAssignment
from dangjian.accounts.roles import Role
from dangjian.api.services import token_issue


class Command(BaseCommand):
    help = "为用户签发一个数据接口令牌（最后一行输出即令牌，只显示这一次）。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", choices=Role.values, help="以该角色访问（默认：该用户的第一个有效身份）")
        parser.add_argument("--name", default="命令行签发", help="令牌名称")

    def handle(self, *args, username, role=None, name="", **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"没有启用的用户 {username}。")
        assignment = None
        if role:
            assignment = RoleAssignment.objects.filter(user=user, role=role, is_active=True).order_by("pk").first()
            if assignment is None:
                raise CommandError(f"用户 {username} 没有有效的「{Role(role).label}」身份。")
        try:
            row, secret = token_issue(actor=user, role=assignment, name=name)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"已为 {username} 签发令牌「{row.name}」，身份：{row.role}。令牌只显示这一次：")
        self.stdout.write(secret)
