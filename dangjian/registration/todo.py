"""今日待办 from dual registration: pending registrations for workers; not yet registered for members and units."""

from django.urls import reverse
from django.utils.translation import gettext as _

from dangjian.accounts.roles import Role, active_assignment
from dangjian.core.scoping import active_role
from dangjian.core.todo import TodoItem, register
from dangjian.people.models import MemberStatus

from . import selectors


@register(order=70)
def registration_todos(user) -> list[TodoItem]:
    role = active_role(user)
    if role == Role.COMMUNITY_WORKER:
        # Counted by the desk's own selector, with the filter the link opens.
        n = selectors.desk_registrations(user, status="submitted").count()
        if n:
            url = reverse("registration:desk") + "?status=submitted"
            return [TodoItem(_("双报到待确认"), url, count=n)]
        return []
    if role == Role.PARTY_MEMBER:
        member = selectors.member_for_user(user)
        if member is None or member.status != MemberStatus.IN_SERVICE:
            return []
        state = selectors.registration_status_for_member(member)
        if not state.is_open:
            return [TodoItem(_("您还没有到居住社区报到（双报到）"), reverse("registration:mine"))]
        return []
    if role == Role.UNIT_CONTACT:
        assignment = active_assignment(user)
        unit = assignment.unit if assignment else None
        if unit is None or unit.party_org_id is None:
            return []
        if not selectors.registration_status_for_unit(unit).is_open:
            return [TodoItem(_("本单位党组织还没有到社区报到（双报到）"), reverse("registration:mine"))]
    return []
