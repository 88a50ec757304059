"""Every date a person types has a sensible window (check_date_within / date_within), with a Chinese
message that names the window."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dangjian.core.validators import YEAR_DAYS, check_date_within


def test_it_names_the_allowed_window():
    today = datetime.date(2026, 12, 6)
    check_date_within(datetime.date(2027, 6, 1), past=0, future=YEAR_DAYS, today=today)
    with pytest.raises(ValidationError) as exc:
        check_date_within(datetime.date(9999, 12, 31), past=0, future=YEAR_DAYS, today=today)
    assert exc.value.messages == ["日期「9999-12-31」超出允许范围：应在 2026-12-06 至 2027-12-07 之间。"]
    with pytest.raises(ValidationError) as exc:
        check_date_within(datetime.date(2030, 1, 1), future=0, today=today)
    assert exc.value.messages == ["日期「2030-01-01」超出允许范围：不能晚于 2026-12-06。"]
    with pytest.raises(ValidationError) as exc:
        check_date_within(datetime.date(1900, 1, 1), past=10, today=today)
    assert exc.value.messages == ["日期「1900-01-01」超出允许范围：不能早于 2026-11-26。"]
    check_date_within(None, past=0, future=0, today=today)  # an empty optional date is left to the field


def _run(validators, value) -> None:
    for validator in validators:
        validator(value)


@pytest.mark.parametrize(
    ("module", "form", "field"),
    [
        ("dangjian.demands.desk.forms", "SubmitForm", "needed_by"),
        ("dangjian.centers.forms", "ClosedDayForm", "date"),
        ("dangjian.centers.forms", "BookingForm", "date"),
        ("dangjian.centers.forms", "ActivityForm", "date"),
        ("dangjian.volunteering.forms", "TeamActivityForm", "date"),
        ("dangjian.volunteering.forms", "ShiftForm", "date"),
        ("dangjian.units.forms", "AllianceForm", "founded_on"),
        ("dangjian.orgs.weak.forms", "StepForm", "deadline"),
        ("dangjian.points.forms", "ManualAwardForm", "occurred_on"),
        ("dangjian.people.forms", "MemberForm", "joined_on"),
        ("dangjian.people.forms", "MemberForm", "confirmed_on"),
        ("dangjian.people.forms", "LiaisonForm", "since"),
        ("dangjian.units.forms", "AdjunctForm", "since"),
        ("dangjian.units.forms", "MembershipForm", "joined_on"),
    ],
)
def test_the_forms_refuse_a_far_date(db, module, form, field):
    import importlib

    mod = importlib.import_module(module)
    form_class = getattr(mod, form)
    validators = form_class.base_fields[field].validators
    assert validators, f"{form}.{field} has no window"
    with pytest.raises(ValidationError, match="超出允许范围"):
        _run(validators, datetime.date(9999, 12, 31))
    _run(validators, timezone.localdate())  # today is always inside the window


def test_the_correction_times_are_not_in_the_future(db):
    from dangjian.volunteering.forms import CorrectionForm

    validators = CorrectionForm.base_fields["checked_in_at"].validators
    future = timezone.now() + datetime.timedelta(days=3)
    with pytest.raises(ValidationError, match="不能晚于|应在"):
        _run(validators, future)
