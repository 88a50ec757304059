from django.contrib.auth.models import AnonymousUser

from dangjian.conftest import make_user
from dangjian.core.scoping import acting_user


def test_the_acting_user_is_a_signed_in_person_or_none(db):
    person = make_user("acting")
    assert acting_user(person) is person
    assert acting_user(AnonymousUser()) is None
    assert acting_user(None) is None  # a periodic task acts as the system
