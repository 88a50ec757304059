import pytest

from .backends import RecordingSms, RefusingSms

RECORDING = "dangjian.notifications.tests.backends.RecordingSms"
REFUSING = "dangjian.notifications.tests.backends.RefusingSms"


@pytest.fixture
def sms(settings):
    """SMS through the recording test backend (WeChat stays the console's, which has no address here)."""
    settings.NOTIFY_BACKENDS = {"sms": RECORDING}
    RecordingSms.reset()
    RefusingSms.reset()
    return RecordingSms


@pytest.fixture
def queue():
    """Huey runs queued tasks at once (tasks scheduled for later wait in memory, as in production)."""
    from huey.contrib.djhuey import HUEY

    before = HUEY.immediate
    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = before
