"""Rows keep copies of tree paths for scoping (a case's area_path, a recruit's org_path); moving a
subtree rewrites them in the same transaction, so a moved community's rows move with it."""

import pytest
from django.apps import apps
from django.db import models

from dangjian.audit.models import AuditEvent
from dangjian.cases.intake.services import case_submit
from dangjian.cases.models import Case
from dangjian.core.tree import PathCopyField, TreeNode, path_copies
from dangjian.orgs.models import PartyOrg
from dangjian.territory import services as territory_services
from dangjian.territory.models import Area

pytestmark = pytest.mark.django_db

# Path columns that are deliberately not copies of the current tree: the store of facts keeps history
# where it happened (and so do the append-only funds journals), and an idempotent request's path is a URL.
NOT_COPIES = {
    ("core.DailyFact", "area_path"),
    ("core.IdempotentRequest", "path"),
    ("funds.Journal", "area_path"),  # append-only ledger rows: the path when written, for the facts
}


def test_every_path_column_is_a_declared_copy():
    undeclared = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField)
        and field.name.endswith("path")
        and not isinstance(field, PathCopyField)
        and not (issubclass(model, TreeNode) and field.name == "path")
        and (model._meta.label, field.name) not in NOT_COPIES
    ]
    assert undeclared == [], "declare these as core.tree.PathCopyField so a subtree move rewrites them"
    assert ("recruitment.Recruit", "org_path") in {(m._meta.label, f) for m, f in path_copies(PartyOrg)}
    assert (Case, "area_path") in path_copies(Area)


def test_moving_a_community_moves_its_cases_and_audit_trail(world):
    u = world.users
    case = case_submit(
        actor=u.resident,
        channel="phone",
        category="garbage",
        description="茂盛社区门口垃圾堆放",
        lat=22.205,
        lng=113.535,
    )
    assert case.area_path == world.g2.path
    assert Case.objects.visible_to(u.subdistrict_admin).filter(pk=case.pk).exists()
    before = AuditEvent.objects.filter(area_path=world.g2.path).count()
    assert before > 0
    other = Case.objects.filter(area_path__startswith=world.c1.path).count()

    territory_services.area_move(actor=None, area=world.c2, new_parent=world.s2)

    world.g2.refresh_from_db()
    case.refresh_from_db()
    assert case.area_path == world.g2.path and world.g2.path.startswith(world.s2.path)
    assert Case.objects.visible_to(u.subdistrict_admin_outsider).filter(pk=case.pk).exists()  # the new subdistrict
    assert not Case.objects.visible_to(u.subdistrict_admin).filter(pk=case.pk).exists()  # the old one no longer
    assert AuditEvent.objects.filter(area_path=world.g2.path).count() >= before
    assert Case.objects.filter(area_path__startswith=world.c1.path).count() == other  # the sibling's rows stay
