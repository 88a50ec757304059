from django.urls import reverse
from django.utils.translation import gettext as _

from dangjian.core.todo import TodoItem, register


@register(order=10)
def temporary_password(user) -> list[TodoItem]:
    if user.must_change_password:
        return [TodoItem(_("您正在使用临时密码，请尽快修改"), reverse("accounts:password_change"), urgent=True)]
    return []
