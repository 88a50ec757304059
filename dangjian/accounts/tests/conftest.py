# The phone-code fixtures, shared with people/signup/tests (their conftest imports them too).
from .phone_helpers import clock, outbox  # noqa: F401
