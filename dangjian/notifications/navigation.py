"""The message centre's menu entry (the unread count rides on it and on the header's bell)."""

from django.utils.translation import gettext_lazy as _

from dangjian.core.navigation import NavItem, register

register(NavItem("messages", _("消息"), "notifications:inbox", "message-square-text", None, order=900))
