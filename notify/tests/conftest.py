import pytest

from notify.tests.receivers import JsonReceiver, SmtpReceiver
from tests.helpers import family_with_logins

PASSWORD = "notify-test-password-5c1a"


@pytest.fixture
def family(db) -> dict:
    return family_with_logins(PASSWORD)


@pytest.fixture
def webhook():
    receiver = JsonReceiver()
    yield receiver
    receiver.close()


@pytest.fixture
def smtp():
    receiver = SmtpReceiver()
    yield receiver
    receiver.close()
