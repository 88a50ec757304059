from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q


def account_named(identifier: str):
    """The account a typed username or mobile number names, or None (sign-in and throttling agree)."""
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    User = get_user_model()
    return User.objects.filter(Q(username=identifier) | Q(mobile=identifier)).order_by("pk").first()


class UsernameOrMobileBackend(ModelBackend):
    """Sign in with a username or a mobile number, and a password."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user = account_named(username)
        if user is None:
            get_user_model()().set_password(password)  # spend the same time as a real check
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
