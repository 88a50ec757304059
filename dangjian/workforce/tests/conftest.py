import datetime

import pytest

from dangjian.workforce.models import LadderStatus
from dangjian.workforce.services import ladders, workers


def worker_data(**overrides):
    data = {
        "name": "李华",
        "gender": "female",
        "birth_date": datetime.date(1986, 5, 1),
        "id_number": "",
        "mobile": "",
        "education": "bachelor",
        "kind": "professional",
        "title": "",
        "is_committee": False,
        "dual_role": False,
        "placed": True,
        "sending_unit": "",
        "batch": None,
        "joined_on": datetime.date(2015, 3, 1),
    }
    data.update(overrides)
    return data


@pytest.fixture
def ladder(world):
    """The district's 三岗十八级 in force: head 7–18, deputy 4–15, worker 1–12; 3 years a grade; 本科 +1 on
    entry, 研究生 +2 and one year off; 3,000 元 at grade 1, +100 a grade; 一肩挑 +300 元."""
    return ladders.ladder_from_template(
        actor=None,
        district=world.district,
        template="3x18",
        effective_from=datetime.date(2020, 1, 1),
        status=LadderStatus.ACTIVE,
    )


@pytest.fixture
def make_worker(world):
    def make(area=None, **overrides):
        return workers.worker_save(actor=None, area=area or world.c1, data=worker_data(**overrides))

    return make


@pytest.fixture
def placed(ladder, make_worker):
    """A function placing a new worker on the ladder: post code, grade, since."""

    def place(code="worker", grade=3, since=datetime.date(2021, 1, 1), **overrides):
        w = make_worker(**overrides)
        return workers.worker_grade_set(
            actor=None, worker=w, post=ladder.posts.get(code=code), grade=grade, since=since
        )

    return place
