"""manage.py integrity [--json] [--days N] [--only APP]

Runs the integrity checks every app declares (core/integrity.py): every case, demand, registration,
booking and weak-organisation case in a declared state with its log, the time bank's and the points'
ledgers balanced, no duplicated write, the figures store equal to a recomputation from raw rows (the
last N cohort days, default 2, and the stocks as of now). Prints a line per check (通过 / N 项问题)
and the findings; `--json` prints one JSON object instead. Exits with status 1 when anything is found.
Read-only: nothing is repaired.
"""

from __future__ import annotations

import json
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import integrity


class Command(BaseCommand):
    help = "Check that every row is in a valid state with its log, the ledgers balance and the figures agree."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print one JSON object (for the soak bench)")
        parser.add_argument("--days", type=int, default=2, help="cohort days of figures to recompute (default 2)")
        parser.add_argument("--only", action="append", help="only this app's checks, or this check (repeatable)")
        parser.add_argument("--limit", type=int, default=integrity.LIMIT, help="findings shown per check")

    def handle(self, *args, **options):
        only = options["only"] or None
        known = {c.app for c in integrity.checks()} | {c.name for c in integrity.checks()}
        unknown = sorted(set(only or ()) - known)
        if unknown:
            raise CommandError(f"unknown app or check: {', '.join(unknown)} (known: {', '.join(sorted(known))})")
        started = time.monotonic()
        results = integrity.run(only, options=integrity.Options(days=options["days"]), limit=max(options["limit"], 0))
        total = sum(r.count + (1 if r.error else 0) for r in results)
        if options["json"]:
            out = {
                "ok": total == 0,
                "count": total,
                "at": timezone.now().isoformat(),
                "days": options["days"],
                "seconds": round(time.monotonic() - started, 3),
                "checks": [r.as_dict() for r in results],
            }
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=1))
        else:
            for r in results:
                if r.error:
                    line = _("检查出错：%(e)s") % {"e": r.error}
                elif r.count:
                    line = _("%(n)d 项问题") % {"n": r.count}
                else:
                    line = _("通过")
                self.stdout.write(f"{r.check.name}  {r.check.label}：{line}  ({r.seconds:.1f}s)")
                for f in r.findings:
                    who = " ".join(x for x in (f.model, str(f.pk) if f.pk is not None else "", f.public_id) if x)
                    self.stdout.write(f"  - [{f.code}] {who}：{f.message}")
                if r.count > len(r.findings):
                    self.stdout.write("  " + _("……另有 %(n)d 项未列出") % {"n": r.count - len(r.findings)})
            summary = _("共 %(n)d 项问题") % {"n": total} if total else _("全部通过")
            self.stdout.write(
                _("完整性检查：%(s)s（用时 %(t).1f 秒）") % {"s": summary, "t": time.monotonic() - started}
            )
        if total:
            sys.exit(1)
