"""Possible duplicates: the same problem reported twice (two neighbours, a call and a photo).

A new case is compared with the open cases of its grid received within the district's window, near
it (haversine distance within the policy's radius, when both have a point), by the words of their
descriptions: jieba word segmentation, stop words and punctuation removed, cosine similarity of the
word sets. The most similar at or above the policy's threshold is flagged as possible_duplicate_of;
a dispatcher decides whether to merge.

The search runs on the queue, after the case is committed (`check_after_commit` queues
tasks.case_duplicate_check, which calls `flag_possible_duplicate`): a poster never waits for jieba.
A search that ran (found or not) stamps `Case.duplicates_checked_at`; one lost from the queue (a
consumer killed while running it, Redis restarted without persistence, a queue that refused it) is
found by `requeue_unchecked`, which the periodic tasks.case_duplicate_sweep runs: recent cases still
unstamped after a few minutes are queued again. Running the search twice is harmless.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

import jieba
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from jieba import posseg

from .models import Case, CasePolicy
from .workflow import CASE_FLOW, OPEN_STATUSES, Step

jieba.setLogLevel(logging.WARNING)
logger = logging.getLogger(__name__)

# Part-of-speech tags left out: place, person and organization names, numerals, time words, punctuation.
SKIP_TAGS = frozenset({"ns", "nr", "nrt", "nrfg", "nt", "m", "mq", "t", "x", "uj", "ul"})
EARTH_RADIUS_M = 6_371_008.8
# Compared per new case at most; the newest first (a grid rarely has this many open cases at once).
MAX_CANDIDATES = 300

# Words that say nothing about the problem itself: particles, pronouns, politeness, filler.
_STOP_TEXT = (
    "的 了 着 过 地 得 和 与 及 或 而 也 又 就 都 还 很 太 非常 特别 比较 有点 一些 一点",
    "一下 一直 已经 还是 但是 可是 因为 所以 如果 虽然 然后 这个 那个 这些 那些 这里 那里",
    "这边 那边 这样 那样 什么 怎么 为什么 哪里 我 我们 你 你们 他 他们 她 它 它们 大家",
    "自己 有 没有 没 是 不是 在 被 把 给 让 对 向 从 到 于 为 以 等 之 吗 呢 吧 啊 呀",
    "哦 嗯 了吧 请 麻烦 希望 尽快 赶紧 处理 解决 一下子 谢谢 感谢 反映 问题 情况 现在",
    "今天 昨天 最近 好几 几天 多次 一个 个 些 里 上 下 人 好 大 小 多 无 不 来 去 说 要",
    "会 能 可 可以 一 两 几 天 年 月 日 时 点 小区 门口 附近 旁边 楼下 对面 周边 一带",
    "社区 区",
)
STOP_WORDS = frozenset(word for line in _STOP_TEXT for word in line.split())


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _is_noise(word: str) -> bool:
    if not word.strip() or word in STOP_WORDS:
        return True
    # Punctuation and symbols, Chinese or not.
    return all(unicodedata.category(ch)[0] in "PSZC" for ch in word)


@lru_cache(maxsize=2048)
def features(text: str) -> frozenset[str]:
    """What a description is about: its content words, the parts of its long words (so "垃圾堆"
    meets "垃圾"), and their characters (residents say the same thing in other words: "臭味很大" /
    "很臭", "丢失" / "缺失"). Place and person names and numbers are left out: the grid and the
    distance already say where, and an estate's name would make every case there look alike."""
    text = re.sub(r"\s+", " ", (text or "").lower())
    found: set[str] = set()
    for token in posseg.lcut(text):
        if token.flag in SKIP_TAGS or _is_noise(token.word):
            continue
        found.add(token.word)
        if len(token.word) > 2:
            found.update(w for w in jieba.lcut_for_search(token.word) if not _is_noise(w))
    chars = {ch for word in found if len(word) > 1 for ch in word if not _is_noise(ch)}
    return frozenset(found | chars)


def similarity(a: str, b: str) -> float:
    """Cosine similarity of the two feature sets, 0..1."""
    wa, wb = features(a), features(b)
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / math.sqrt(len(wa) * len(wb))


@dataclass(frozen=True)
class Match:
    case: Case
    similarity: float
    distance_m: float | None


def find_possible_duplicate(case: Case, *, policy: CasePolicy) -> Match | None:
    """The most similar open case of the same grid, near enough and recent enough, or None.

    Cases that are not placed in a grid (parked at a district or a community) are not compared:
    without a grid there is no neighbourhood small enough to compare against."""
    if case.grid_id is None:
        return None
    since = timezone.now() - timedelta(days=policy.duplicate_window_days)
    candidates = (
        Case.objects.filter(grid_id=case.grid_id, status__in=OPEN_STATUSES, received_at__gte=since)
        .exclude(pk=case.pk)
        .order_by("-received_at", "-pk")
        .only("pk", "number", "description", "lat", "lng", "received_at")[:MAX_CANDIDATES]
    )
    best: Match | None = None
    for other in candidates:
        distance = None
        if case.lat is not None and case.lng is not None and other.lat is not None and other.lng is not None:
            distance = haversine_m(case.lat, case.lng, other.lat, other.lng)
            if distance > policy.duplicate_radius_m:
                continue
        score = similarity(case.description, other.description)
        if score >= policy.duplicate_similarity and (best is None or score > best.similarity):
            best = Match(other, score, distance)
    return best


# The sweep: cases received between these two ages whose search has not run are queued again.
SWEEP_AFTER = timedelta(minutes=5)
SWEEP_WITHIN = timedelta(days=1)
SWEEP_BATCH = 500


def flag_possible_duplicate(case_id: int) -> Match | None:
    """Search the duplicates of a case already written, flag the best one and tell the dispatcher
    (a log row only they see), then stamp the case as searched. Idempotent: a case already flagged,
    finished or gone is left alone, so a retried or re-queued task writes nothing twice."""
    match = _search_and_flag(case_id)
    Case.objects.filter(pk=case_id, duplicates_checked_at__isnull=True).update(duplicates_checked_at=timezone.now())
    return match


def requeue_unchecked(*, now=None) -> int:
    """Queue again the duplicate search of recent cases whose search never ran (at most SWEEP_BATCH,
    oldest first); returns how many were queued."""
    from .tasks import case_duplicate_check

    now = now or timezone.now()
    ids = list(
        Case.objects.filter(
            duplicates_checked_at__isnull=True, received_at__lt=now - SWEEP_AFTER, received_at__gte=now - SWEEP_WITHIN
        )
        .order_by("received_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for case_id in ids:
        case_duplicate_check(case_id)
    if ids:
        logger.warning("re-queued the duplicate search of %s case(s) lost from the queue", len(ids))
    return len(ids)


def _search_and_flag(case_id: int) -> Match | None:
    case = (
        Case.objects.filter(pk=case_id, possible_duplicate_of__isnull=True, status__in=OPEN_STATUSES)
        .only("pk", "number", "status", "grid_id", "district_id", "description", "lat", "lng")
        .first()
    )
    if case is None or case.grid_id is None:
        return None
    policy = CasePolicy.objects.filter(district_id=case.district_id).first() or CasePolicy()
    match = find_possible_duplicate(case, policy=policy)
    if match is None:
        return None
    with transaction.atomic():
        if not Case.objects.filter(pk=case.pk, possible_duplicate_of__isnull=True).update(
            possible_duplicate_of=match.case
        ):
            return None
        CASE_FLOW.log(
            case,
            actor=None,
            step=Step.SUBMIT,
            from_status=case.status,
            to_status=case.status,
            note=_("疑似与 %(n)s 重复（文本相似度 %(s).2f，相距 %(m)s 米）")
            % {
                "n": match.case.number,
                "s": match.similarity,
                "m": "—" if match.distance_m is None else round(match.distance_m),
            },
            public=False,
        )
    logger.info("case %s possibly duplicates %s (%.2f)", case.number, match.case.number, match.similarity)
    return match


def check_after_commit(case: Case) -> None:
    """Queue the duplicate search of `case` for when the current transaction commits. A queue that
    cannot take it costs the flag, never the case: the error is logged."""
    case_id = case.pk

    def enqueue() -> None:
        from .tasks import case_duplicate_check

        try:
            case_duplicate_check(case_id)
        except Exception:  # noqa: BLE001 - the case is written; only the hint is lost
            logger.exception("could not queue the duplicate search of case %s", case_id)

    transaction.on_commit(enqueue)
