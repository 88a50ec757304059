"""The rotating QR codes: read back what was signed, one code per period, refused two periods on,
forged or of another family."""

import datetime
import uuid

import pytest
from django.core import signing

from dangjian.core.qrtokens import QrCodec, TokenError, seconds_to_next

NOW = datetime.datetime(2026, 5, 1, 9, 3, 20, tzinfo=datetime.UTC)
PID = uuid.UUID("12345678-1234-5678-1234-567812345678")
CODES = QrCodec(salt="tests.qr", kinds={"a": "alpha", "b": "beta"})


def test_it_reads_back_what_it_signed():
    scanned = CODES.read(CODES.make(kind="alpha", public_id=PID, rotate_minutes=10, now=NOW))
    assert (scanned.kind, scanned.public_id) == ("alpha", str(PID))
    assert scanned.issued_at == datetime.datetime(2026, 5, 1, 9, 0, tzinfo=datetime.UTC)
    CODES.check_fresh(scanned, rotate_minutes=10, now=NOW)
    assert CODES.read(CODES.make(kind="beta", public_id=PID, rotate_minutes=10, now=NOW)).kind == "beta"
    with pytest.raises(ValueError):
        CODES.make(kind="gamma", public_id=PID, rotate_minutes=10, now=NOW)


def test_it_keeps_one_code_per_period_and_rotates_with_the_next():
    first = CODES.make(kind="alpha", public_id=PID, rotate_minutes=10, now=NOW)
    same = CODES.make(kind="alpha", public_id=PID, rotate_minutes=10, now=NOW + datetime.timedelta(minutes=5))
    later = CODES.make(kind="alpha", public_id=PID, rotate_minutes=10, now=NOW + datetime.timedelta(minutes=7))
    assert first == same  # 09:03 and 09:08 fall in the 09:00 period
    assert later != first  # 09:10 starts the next period
    assert seconds_to_next(NOW, 10) == 400  # 09:03:20 → 09:10:00


def test_it_refuses_a_code_two_periods_old():
    scanned = CODES.read(CODES.make(kind="alpha", public_id=PID, rotate_minutes=10, now=NOW))
    CODES.check_fresh(scanned, rotate_minutes=10, now=NOW + datetime.timedelta(minutes=16))  # next period: fine
    with pytest.raises(TokenError, match="过期"):
        CODES.check_fresh(scanned, rotate_minutes=10, now=NOW + datetime.timedelta(minutes=17))  # 09:20
    with pytest.raises(TokenError, match="过期"):
        CODES.check_fresh(scanned, rotate_minutes=10, now=NOW - datetime.timedelta(minutes=10))
    token = CODES.make(kind="alpha", public_id=PID, rotate_minutes=10, now=NOW)
    with pytest.raises(TokenError, match="过期"):
        CODES.read_fresh(token, rotate_minutes=10, now=NOW + datetime.timedelta(hours=1))


def test_it_refuses_forged_tampered_and_foreign_tokens():
    token = CODES.make(kind="alpha", public_id=PID, rotate_minutes=10, now=NOW)
    with pytest.raises(TokenError, match="无效"):
        CODES.read(token.replace(str(PID), str(uuid.uuid4())))
    with pytest.raises(TokenError, match="无效"):
        CODES.read("garbage")
    with pytest.raises(TokenError, match="无效"):
        CODES.read(signing.TimestampSigner(salt="another").sign(f"a.{PID}"))
    with pytest.raises(TokenError, match="无效"):  # the right salt, an unknown kind
        CODES.read(signing.TimestampSigner(salt=CODES.salt).sign(f"x.{PID}"))
    other = QrCodec(salt="tests.other", kinds={"a": "alpha"}, invalid="签到码无效。")
    with pytest.raises(TokenError, match="签到码无效"):  # another family's code, in that family's words
        other.read(token)
