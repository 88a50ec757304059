from django.urls import reverse
from django.utils.translation import gettext as _

from dangjian.core.scoping import active_role
from dangjian.core.todo import TodoItem, register

from .models import Area, Estate, Level
from .permissions import TREE_ROLES


@register(order=80)
def missing_geometry(user) -> list[TodoItem]:
    """Grids without a boundary and estates without a location cannot place cases or demands."""
    if active_role(user) not in TREE_ROLES:
        return []
    items = []
    grids = Area.objects.visible_to(user).filter(level=Level.GRID, boundary__isnull=True).count()
    if grids:
        url = reverse("territory:tree") + "?missing=boundary"
        items.append(TodoItem(_("网格尚未绘制边界"), url, grids))
    estates = Estate.objects.visible_to(user).filter(lat__isnull=True).count()
    if estates:
        url = reverse("territory:tree") + "?missing=location"
        items.append(TodoItem(_("小区尚未标注位置"), url, estates))
    return items
