"""The Django admin of weak-organization data: reasons editable (audited), cases read-only and scoped."""

from django.contrib.auth.models import Permission
from django.urls import reverse

from dangjian.audit.models import AuditEvent
from dangjian.orgs.models import WeakCaseStatus, WeakReason


def staff(user):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="orgs"))
    return user


def test_cases_and_their_parts_are_read_only_and_scoped(world, make_case, login):
    make_case(world.eb, WeakCaseStatus.RECTIFYING)
    make_case(world.eb3, WeakCaseStatus.FLAGGED)
    client = login(staff(world.users.subdistrict_admin))
    body = client.get(reverse("admin:orgs_weakorgcase_changelist")).content.decode()
    assert "中珠新村小区党支部" in body and "海虹花园小区党支部" not in body
    for name in ("rectificationstep", "weakcaselog", "weakcasenote"):
        assert client.get(reverse(f"admin:orgs_{name}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:orgs_{name}_add")).status_code == 403
    assert client.get(reverse("admin:orgs_weakorgcase_add")).status_code == 403


def test_reasons_are_data_an_admin_edits_with_an_audit_row(world, reasons, login):
    client = login(staff(world.users.district_admin))
    reason = reasons["development_lagging"]
    url = reverse("admin:orgs_weakreason_change", args=[reason.pk])
    data = {"code": reason.code, "label": "经济发展滞后", "aspect": reason.aspect, "sort_order": 5, "is_active": "on"}
    assert client.post(url, data).status_code == 302
    assert WeakReason.objects.get(pk=reason.pk).label == "经济发展滞后"
    event = AuditEvent.objects.filter(object_type="orgs.weakreason").latest("pk")
    assert event.action == "update" and event.changes["label"] == ["发展滞后", "经济发展滞后"]
    assert client.post(reverse("admin:orgs_weakreason_delete", args=[reason.pk]), {"post": "yes"}).status_code == 403
