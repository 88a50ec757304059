"""{% public_notices community %}: the public notices a resident reads on the phone home and on
/nearby/ (the community's and every node's above it), rendered by notices/_public_list.html, so the
pages that show them need no view change."""

from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("notices/_public_list.html")
def public_notices(community=None, limit: int = 5):
    return {"notices": selectors.public_notices(community, limit=limit), "community": community}
