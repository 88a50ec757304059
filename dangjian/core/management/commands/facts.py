"""manage.py facts --rebuild [--since DATE] [--until DATE] [--subject NAME] | --check [--day DATE] [--repair]

--rebuild recomputes the figures store from raw rows (after a bulk load, an import that bypassed the
signals, or a change of what a subject counts); --check recomputes one cohort day (default:
yesterday), prints every difference from the stored facts and, with --repair, replaces them.
A stock subject (units, members) is rebuilt whole (each row as it is now, from the day it was
created; its monthly snapshots after) and checked whole, as of now: --repair writes the differences
as a correcting delta on today, keeping the history.
"""

from __future__ import annotations

import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dangjian.core.figures import facts


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"not a date (YYYY-MM-DD): {value}") from exc


class Command(BaseCommand):
    help = "Rebuild or check the figures store (daily facts) against raw rows."

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--rebuild", action="store_true", help="recompute the facts from raw rows")
        action.add_argument("--check", action="store_true", help="compare one day's facts with raw rows")
        parser.add_argument("--since", type=_date, help="first cohort day to rebuild (default: all)")
        parser.add_argument("--until", type=_date, help="last cohort day to rebuild (default: all)")
        parser.add_argument("--day", type=_date, help="the day to check (default: yesterday)")
        parser.add_argument("--repair", action="store_true", help="with --check: replace the day's facts")
        parser.add_argument("--subject", action="append", help="only this subject (repeatable)")

    def handle(self, *args, **options):
        names = options["subject"] or sorted(facts.SUBJECTS)
        unknown = [n for n in names if n not in facts.SUBJECTS]
        if unknown:
            raise CommandError(f"unknown subject(s): {', '.join(unknown)}; known: {', '.join(sorted(facts.SUBJECTS))}")
        if options["rebuild"]:
            for name in names:
                started = time.perf_counter()
                written = facts.rebuild([name], since=options["since"], until=options["until"])
                seconds = time.perf_counter() - started
                self.stdout.write(f"facts {name}: {written[name]} rows in {seconds:.1f} s")
            return
        day = options["day"] or timezone.localdate() - datetime.timedelta(days=1)
        drift = facts.reconcile(day, names, repair=options["repair"])
        for d in drift:
            self.stdout.write(
                f"drift {d.subject} {d.day} {d.area_path} {d.dim or '*'} {d.measure}: "
                f"stored {d.stored}, expected {d.expected}"
            )
        verdict = "repaired" if options["repair"] and drift else "no drift" if not drift else "not repaired"
        self.stdout.write(f"facts check {day}: {len(drift)} differences ({verdict})")
