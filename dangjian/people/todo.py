from django.urls import reverse
from django.utils.translation import gettext as _

from dangjian.core.todo import TodoItem, register

from .selectors import account_requests_for


@register(order=60)
def account_link_requests(user) -> list[TodoItem]:
    """A worker asked to link a member record to this account: only its holder can accept it."""
    count = account_requests_for(user).count()
    if not count:
        return []
    return [TodoItem(_("党员账号关联请求待您确认"), reverse("people:account_requests"), count=count)]
