from django.utils import timezone

from dangjian.accounts.integrity import phone_codes, resident_links
from dangjian.accounts.models import PhoneCode, RoleAssignment
from dangjian.people.services.residents import household_create, resident_create


def codes_of(check) -> list[str]:
    return [f.code for f in check(None)]


def test_a_code_used_without_verification_or_beyond_its_tries_is_found(db):
    now = timezone.now()
    base = {"mobile": "13912345678", "purpose": "signup", "code_hash": "x", "expires_at": now}
    PhoneCode.objects.create(**base, minute=1, verified_at=now, redeemed_at=now)  # fine
    assert codes_of(phone_codes) == []
    PhoneCode.objects.create(**base, minute=2, redeemed_at=now)
    PhoneCode.objects.create(**base, minute=3, tries=6)
    PhoneCode.objects.create(**base, minute=4, verified_at=now + timezone.timedelta(seconds=1))
    assert codes_of(phone_codes) == ["phone_code_out_of_order"] * 3


def test_a_resident_link_whose_mobile_drifted_is_found(world):
    household = household_create(actor=None, building=world.building, room="302")
    resident = resident_create(actor=None, household=household, name="jm", mobile="13912345678")
    user = world.users.resident
    user.mobile, user.resident = "13912345678", resident
    user.save()
    assert codes_of(resident_links) == []
    resident.mobile = "13900000000"
    resident.save()
    RoleAssignment.objects.filter(user=user).update(home_community=None)
    assert codes_of(resident_links) == ["resident_link_mobile", "resident_without_community"]
