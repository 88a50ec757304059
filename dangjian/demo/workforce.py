"""Demo 社区工作者队伍 (a DEMO_EXTENSIONS step): the district's 三岗十八级 table in force and a draft that
raises the pay (to compare in the what-if view), 60 workers across the demo communities placed on the
ladder (secretaries, 一肩挑, committees, professionals, grid workers, 全科社工, two 第一书记), a reserve pool,
and two training courses with a session each and some attendance. sq_worker (李红) is a worker with a
linked account, so she can check in by QR. Everything through the services, deterministic by `rng`.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.territory.models import Area, Level
from dangjian.workforce.models import LadderStatus
from dangjian.workforce.services import ladders, reserve, stepup, training, workers

from .names import person_name

WORKERS = 60
KINDS = ["professional"] * 5 + ["grid"] * 3 + ["generalist"] * 2 + ["committee"] * 2
EDUCATIONS = ["below", "college", "college", "bachelor", "bachelor", "bachelor", "master"]


def _data(rng: random.Random, name: str, kind: str, today: datetime.date, **extra: Any) -> dict[str, Any]:
    year = rng.randint(1968, 1998)
    joined = datetime.date(rng.randint(max(2008, year + 22), today.year - 1), rng.randint(1, 12), 1)
    data = {
        "name": name, "gender": rng.choice(["male", "female"]),
        "birth_date": datetime.date(year, rng.randint(1, 12), 1),
        "id_number": "", "mobile": f"139{rng.randint(10000000, 99999999)}", "education": rng.choice(EDUCATIONS),
        "kind": kind, "title": "", "is_committee": False, "dual_role": False, "placed": rng.random() < 0.85,
        "sending_unit": "", "batch": None, "joined_on": joined,
    }  # fmt: skip
    data.update(extra)
    return data


def build(rng: random.Random, built: Any) -> None:
    district = Area.objects.filter(level=Level.DISTRICT).order_by("path").first()
    if district is None:
        return
    today = timezone.localdate()
    ladder = ladders.ladder_from_template(
        actor=None, district=district, template="3x18", effective_from=datetime.date(2020, 1, 1),
        status=LadderStatus.ACTIVE,
    )  # fmt: skip
    draft = ladders.ladder_copy_draft(actor=None, ladder=ladder, effective_from=datetime.date(today.year + 1, 1, 1))
    ladders.draft_update(actor=None, ladder=draft, pay={g.grade: g.monthly_pay + 150 for g in draft.grades.all()})
    posts = {p.code: p for p in ladder.posts.all()}
    communities = list(Area.objects.filter(level=Level.COMMUNITY, path__startswith=district.path).order_by("path"))
    made = []
    sq = User.objects.filter(username="sq_worker").first()
    for i in range(WORKERS):
        community = communities[i % len(communities)]
        if i < len(communities):
            data = _data(rng, person_name(rng), "secretary", today, is_committee=True, dual_role=rng.random() < 0.8,
                         title="社区党委书记")  # fmt: skip
            code = "head"
        elif i < len(communities) + 2:
            data = _data(rng, person_name(rng), "first_secretary", today, sending_unit="香洲区委组织部", batch=7,
                         placed=True)  # fmt: skip
            code = "deputy"
        else:
            kind = KINDS[i % len(KINDS)]
            data = _data(rng, person_name(rng), kind, today, is_committee=kind == "committee")
            code = "deputy" if kind == "committee" else "worker"
        if i == 0 and sq is not None:
            data["name"] = sq.full_name or data["name"]
        worker = workers.worker_save(actor=None, area=community, data=data, user=sq if i == 0 else None)
        post = posts[code]
        since = datetime.date(rng.randint(2018, today.year - 1), 1, 1)
        grade = rng.randint(post.min_grade, post.max_grade)
        workers.worker_grade_set(actor=None, worker=worker, post=post, grade=grade, since=since)
        workers.post_held_add(actor=None, worker=worker, title=data["title"] or str(worker.get_kind_display()),
                              organization=community.name, started_on=data["joined_on"])  # fmt: skip
        made.append(worker)
    # This year's step-up, run at once (the queue is not needed for 60 workers); a few approved.
    run, _created = stepup.stepup_run_start(actor=None, district=district, year=today.year)
    run = stepup.stepup_run_execute(run.pk)
    for proposal in run.proposals.order_by("pk")[:3]:
        stepup.proposal_step(actor=None, proposal=proposal, step="approve")
    for i, community in enumerate(communities[:6]):
        reserve.candidate_add(
            actor=None, community=community, name=person_name(rng),
            birth_date=datetime.date(rng.randint(1988, 2000), 6, 1), education=rng.choice(["college", "bachelor"]),
            source=rng.choice(["org", "graduate", "veteran", "resident"]),
            is_party_member=i % 2 == 0, assessment="政治素质好，群众基础较好，可作为社区“两委”后备人选。",
        )  # fmt: skip
    subdistrict = Area.objects.filter(level=Level.SUBDISTRICT, path__startswith=district.path).order_by("path").first()
    cls = training.course_save(actor=None, area=district, name="社区基层干部培训班", kind="class", year=today.year,
                               organizer="区委党校")  # fmt: skip
    lecture = training.course_save(actor=None, area=subdistrict or district, name="党建大讲堂（送学下基层）",
                                   kind="branch", year=today.year, organizer="街道党工委")  # fmt: skip
    past = timezone.now() - datetime.timedelta(days=20)
    s1 = training.session_save(actor=None, course=cls, title="城市基层党建引领基层治理", starts_at=past, hours="3")
    soon = timezone.now() + datetime.timedelta(days=3)
    training.session_save(
        actor=None, course=lecture, title="社区工作事项准入与减负", starts_at=soon, hours="2", place="街道党群服务中心"
    )
    for worker in made[::3]:
        training.attendance_record(actor=None, session=s1, worker=worker, now=past)
