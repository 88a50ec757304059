# The console outbox the sign-up reads its codes from (accounts' phone-code fixtures).
from dangjian.accounts.tests.phone_helpers import outbox  # noqa: F401
