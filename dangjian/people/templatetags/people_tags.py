"""Template tags of the people pages, and the liaisons block other pages (territory nodes) include."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.territory.models import Level

from .. import selectors
from ..permissions import can_assign_liaisons
from ..services.members import REVEALABLE_MEMBER_FIELDS

register = template.Library()


@register.inclusion_tag("people/_liaisons_list.html", takes_context=True)
def area_liaisons(context, area):
    """The liaisons (包联 / 挂点) of a community or grid, and of the estates in it, the viewer may see."""
    user = context["request"].user
    on_node = area.level in {Level.COMMUNITY, Level.GRID}
    return {
        "area": area,
        "on_node": on_node,
        "liaisons": selectors.liaisons_on_node(user, area) if on_node else [],
        "can_assign": can_assign_liaisons(user),
    }


@register.inclusion_tag("people/_masked.html")
def member_secret(member, field):
    """A member's ID number or mobile, masked, with a button that reveals it in place (POST, audited)."""
    masked = member.masked_id_number if field == "id_number" else member.masked_mobile
    return {
        "has_value": bool(getattr(member, field)),
        "masked_value": masked,
        "url": reverse("people:member_reveal", args=[member.public_id, field]),
        "dom_id": f"{field}-{member.public_id}",
        "label": REVEALABLE_MEMBER_FIELDS[field],
    }


@register.inclusion_tag("people/_masked.html")
def resident_phone(resident):
    return {
        "has_value": bool(resident.mobile),
        "masked_value": resident.masked_mobile,
        "url": reverse("people:resident_reveal", args=[resident.public_id]),
        "dom_id": f"phone-{resident.public_id}",
        "label": _("电话"),
    }
