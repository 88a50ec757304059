"""Reads of assessment, scoped by `visible_to` (404 for what is missing and what is out of scope alike):
the schemes, a scheme's sheets (a keyset list by total), one sheet with its scores, a secretary's sheets."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from dangjian.orgs.selectors import orgs_led_by

from .models import ChiefScore, Item, PanelScore, Scheme, Score, Sheet, SheetStatus
from .permissions import SECRETARY_POSTS

SCHEME_ORDER = ("-year", "kind", "id")
SHEET_ORDER = ("-total", "id")


def schemes(user: Any) -> QuerySet[Scheme]:
    return Scheme.objects.visible_to(user).select_related("district")


def scheme_get(user: Any, public_id: Any) -> Scheme:
    return _get(schemes(user), public_id)


def _get(qs: QuerySet, public_id: Any) -> Any:
    try:
        row = qs.filter(public_id=public_id).first()
    except (ValueError, TypeError) as exc:
        raise Http404 from exc
    if row is None:
        raise Http404
    return row


def items_of(scheme: Scheme) -> list[Item]:
    return list(scheme.items.all())


def sheets_of(user: Any, scheme: Scheme, *, status: str = "") -> QuerySet[Sheet]:
    """The scheme's sheets the user may read, ordered by total (an index on (scheme, total, id))."""
    qs = Sheet.objects.visible_to(user).filter(scheme=scheme).select_related("org", "department")
    if status in SheetStatus.values:
        qs = qs.filter(status=status)
    return qs


def sheet_get(user: Any, public_id: Any) -> Sheet:
    return _get(
        Sheet.objects.visible_to(user).select_related(
            "scheme__district", "org__area", "department__area", "reported_by"
        ),
        public_id,
    )


def scores_of(sheet: Sheet) -> list[Score]:
    return list(
        Score.objects.filter(sheet=sheet).select_related("item", "entered_by").order_by("item__order", "item_id")
    )


def panel_scores(sheet: Sheet) -> list[PanelScore]:
    return list(PanelScore.objects.filter(sheet=sheet).select_related("member"))


def chief_scores(sheet: Sheet) -> list[ChiefScore]:
    return list(ChiefScore.objects.filter(sheet=sheet).select_related("chief"))


def my_sheets(user: Any) -> QuerySet[Sheet]:
    """The sheets of the organizations `user` is secretary or deputy secretary of (whatever role is active)."""
    led = orgs_led_by(user, posts=SECRETARY_POSTS)
    return (
        Sheet.objects.filter(org__in=led).select_related("scheme", "org").order_by("-scheme__year", "scheme_id", "id")
    )


def my_sheet_get(user: Any, public_id: Any) -> Sheet:
    return _get(my_sheets(user).select_related("org__area"), public_id)


def reports_owed(user: Any) -> QuerySet[Sheet]:
    """The secretary's sheets still waiting for a 述职 (今日待办)."""
    return my_sheets(user).filter(status=SheetStatus.DRAFT)


def panel_waiting(user: Any) -> QuerySet[Sheet]:
    """The 述职 waiting for `user`'s score as a panel member (今日待办 and 我的述职 ?show=panel)."""
    return (
        Sheet.objects.visible_to(user)
        .filter(status=SheetStatus.REPORTED, scheme__panel__user=user)
        .exclude(pk__in=PanelScore.objects.filter(member=user).values("sheet_id"))
        .select_related("scheme", "org")
        .order_by("scheme_id", "id")
    )


def chief_waiting(user: Any) -> QuerySet[Sheet]:
    """The stationed departments waiting for `user`'s score as a street chief (a subdistrict admin in that
    role): open department sheets they read and have not scored (今日待办 and 我的述职 ?show=chief)."""
    from dangjian.core.scoping import scope_for

    from .permissions import CHIEF_ROLES

    if scope_for(user).role not in CHIEF_ROLES:
        return Sheet.objects.none()
    return (
        Sheet.objects.visible_to(user)
        .filter(department__isnull=False, status=SheetStatus.DRAFT)
        .exclude(pk__in=ChiefScore.objects.filter(chief=user).values("sheet_id"))
        .select_related("scheme", "department")
        .order_by("scheme_id", "id")
    )


def panel_candidates(scheme: Scheme) -> QuerySet:
    """Who may sit on the scheme's panel: the district's and its subdistricts' admins."""
    from dangjian.accounts.models import User
    from dangjian.accounts.roles import ADMIN_ROLES
    from dangjian.core.tree import subtree_q

    return (
        User.objects.filter(
            subtree_q("role_assignments__area__path", scheme.area_path),
            role_assignments__role__in=sorted(ADMIN_ROLES),
            is_active=True,
        )
        .distinct()
        .order_by("username")
    )


# -- 双随机 ------------------------------------------------------------------------------------------


def _with_inspector(model: Any, user: Any, inspector_field: str) -> QuerySet:
    """Rows the user's scope covers, and those of the picks the user was drawn to inspect."""
    from django.db.models import Q

    from dangjian.core.scoping import scope_for

    scope = scope_for(user)
    if scope.everything:
        return model.objects.all()
    q = model.scope_q(scope)
    if getattr(user, "is_authenticated", False):
        q |= Q(**{inspector_field: user.pk})
    return model.objects.filter(q)


def draws_for(user: Any) -> QuerySet:
    from .models import Draw, Pick

    inspected = Pick.objects.filter(inspector_id=getattr(user, "pk", None)).values("draw_id")
    return (Draw.objects.visible_to(user) | Draw.objects.filter(pk__in=inspected)).select_related("scheme")


def draw_get(user: Any, public_id: Any) -> Any:
    return _get(draws_for(user), public_id)


def picks_for(user: Any) -> QuerySet:
    from .models import Pick

    return _with_inspector(Pick, user, "inspector_id").select_related("org__area", "inspector", "draw__scheme")


def pick_get(user: Any, public_id: Any) -> Any:
    return _get(picks_for(user), public_id)


def findings_for(user: Any) -> QuerySet:
    from .models import Finding

    return _with_inspector(Finding, user, "pick__inspector_id").select_related("org", "pick__draw__scheme")


def my_findings(user: Any) -> QuerySet:
    """The findings at the organizations `user` is secretary of."""
    from .models import Finding

    return Finding.objects.filter(org__in=orgs_led_by(user, posts=SECRETARY_POSTS)).select_related("org", "pick")
