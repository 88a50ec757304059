import datetime
import uuid

import pytest
from django.core import signing

from dangjian.volunteering import tokens

NOW = datetime.datetime(2026, 5, 1, 9, 3, 20, tzinfo=datetime.UTC)
PID = uuid.UUID("12345678-1234-5678-1234-567812345678")


def test_it_reads_back_what_it_signed():
    token = tokens.make_token(kind="activity", public_id=PID, rotate_minutes=10, now=NOW)
    scanned = tokens.read_token(token)
    assert (scanned.kind, scanned.public_id) == ("activity", str(PID))
    tokens.check_fresh(scanned, rotate_minutes=10, now=NOW)
    post = tokens.read_token(tokens.make_token(kind="post", public_id=PID, rotate_minutes=10, now=NOW))
    assert post.kind == "post"


def test_it_keeps_one_code_per_period_and_rotates_with_the_next():
    same = tokens.make_token(kind="activity", public_id=PID, rotate_minutes=10, now=NOW + datetime.timedelta(minutes=5))
    first = tokens.make_token(kind="activity", public_id=PID, rotate_minutes=10, now=NOW)
    later = tokens.make_token(
        kind="activity", public_id=PID, rotate_minutes=10, now=NOW + datetime.timedelta(minutes=7)
    )
    assert first == same  # 09:03 and 09:08 fall in the 09:00 period
    assert later != first  # 09:10 starts the next period


def test_it_refuses_a_code_two_periods_old():
    token = tokens.make_token(kind="activity", public_id=PID, rotate_minutes=10, now=NOW)
    scanned = tokens.read_token(token)
    tokens.check_fresh(scanned, rotate_minutes=10, now=NOW + datetime.timedelta(minutes=16))  # next period: fine
    with pytest.raises(tokens.TokenError, match="过期"):
        tokens.check_fresh(scanned, rotate_minutes=10, now=NOW + datetime.timedelta(minutes=17))  # 09:20
    with pytest.raises(tokens.TokenError, match="过期"):
        tokens.check_fresh(scanned, rotate_minutes=10, now=NOW - datetime.timedelta(minutes=10))


def test_it_refuses_forged_and_tampered_tokens():
    token = tokens.make_token(kind="activity", public_id=PID, rotate_minutes=10, now=NOW)
    other = str(uuid.uuid4())
    with pytest.raises(tokens.TokenError, match="无效"):
        tokens.read_token(token.replace(str(PID), other))
    with pytest.raises(tokens.TokenError, match="无效"):
        tokens.read_token("garbage")
    forged = signing.TimestampSigner(salt="another").sign(f"a.{PID}")
    with pytest.raises(tokens.TokenError, match="无效"):
        tokens.read_token(forged)
    # Signed with the right salt but naming an unknown kind.
    with pytest.raises(tokens.TokenError, match="无效"):
        tokens.read_token(signing.TimestampSigner(salt=tokens.SALT).sign(f"x.{PID}"))
