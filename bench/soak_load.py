"""The soak's simulated phones: Locust users of every role, run as a library in a process of its own.

    python bench/soak_load.py --host URL --accounts FILE --seconds S --log FILE [--think 5 15]

Each user signs in with its own account (bench/soak_db.py setup) and then, with think time between
actions, does what its role does in a morning, through the real pages as a phone would: GET the form,
read its csrf token and idempotency key, POST, follow the redirect, read the message. A request that
gets no answer or a 5xx is retried as a phone retries (the same body, the same idempotency key), with a
growing pause, for up to RETRY_FOR seconds. Every write the client was told succeeded is appended to
`--log` (JSON lines: kind, key, token or public id, step) for the reconciliation. Prints requests,
errors, p50/p95/p99 per page kind.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
import uuid
from collections import defaultdict, deque
from html.parser import HTMLParser
from pathlib import Path

import gevent
from locust import HttpUser, between, events, task
from locust.env import Environment

RETRY_FOR = 180.0  # seconds a phone keeps retrying one request
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
ACCOUNTS: dict[str, deque] = defaultdict(deque)
LOG_FILE: Path | None = None
COUNTERS: dict[str, int] = defaultdict(int)
TOKEN_PREFIX = "soak-"  # + the run's id (--run): the reconciliation reads this run's writes only
TOKENS: dict[str, str] = {}  # the check-in code each community's worker last showed, by activity
REFUSALS: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))  # why forms were refused, by kind
WORDS = ["路灯不亮", "垃圾桶满溢", "井盖松动", "楼道堆放杂物", "积水严重", "噪音扰民", "占道经营"]
WISHES = ["希望有人帮忙买菜", "想学用智能手机", "需要陪同就医", "希望维修楼下健身器材", "想请人辅导孩子作业"]


# --- forms --------------------------------------------------------------------------------------------
class Forms(HTMLParser):
    """Every <form> of a page: its action, method and the fields a browser would send by default."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None
        self.messages: list[tuple[str, str]] = []
        self._message: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {
                "action": a.get("action") or "",
                "method": (a.get("method") or "get").lower(),
                "fields": {},
                "selects": {},
                "required": set(),
                "radios": defaultdict(list),
                "textareas": set(),
            }
            self.forms.append(self._form)
        elif tag == "li" and "message" in (a.get("class") or ""):
            self._message = a.get("class") or ""
        elif self._form is not None and a.get("name"):
            name, kind = a["name"], (a.get("type") or "text").lower()
            if tag == "input":
                if kind in ("checkbox",) and "checked" not in a:
                    return
                if kind == "radio":
                    self._form["radios"][name].append(a.get("value", ""))
                    if "checked" in a:
                        self._form["fields"][name] = a.get("value", "")
                    return
                if kind in ("submit", "button", "file", "image", "reset"):
                    return
                self._form["fields"][name] = a.get("value", "")
                if "required" in a:
                    self._form["required"].add((name, kind))
            elif tag == "select":
                self._select = name
                self._form["selects"][name] = []
            elif tag == "textarea":
                self._textarea = name
                self._form["fields"][name] = ""
                self._form["textareas"].add(name)
                if "required" in a:
                    self._form["required"].add((name, "textarea"))
        elif tag == "option" and self._form is not None and self._select:
            value = a.get("value", "")
            self._form["selects"][self._select].append(value)
            if "selected" in a:
                self._form["fields"][self._select] = value

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "li":
            self._message = None

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form["fields"][self._textarea] += data
        if self._message is not None and data.strip():
            self.messages.append(("error" if "error" in self._message else "success", data.strip()))


def parse(html: str) -> Forms:
    parser = Forms()
    parser.feed(html)
    return parser


def fill(form: dict, rng: random.Random, text: str) -> dict:
    """The form's fields as a person fills them: defaults kept, a choice made in every select and radio
    left empty, some words in every empty required text."""
    data = dict(form["fields"])
    for name, options in form["selects"].items():
        if not data.get(name):
            choices = [o for o in options if o]
            if choices:
                data[name] = rng.choice(choices)
    for name, values in form["radios"].items():
        if name not in data and values:
            data[name] = rng.choice(values)
    for name, kind in form["required"] | {(n, "textarea") for n in form["textareas"]}:
        if not (data.get(name) or "").strip():  # Django renders a textarea with a newline inside
            data[name] = {"number": "1", "date": time.strftime("%Y-%m-%d", time.localtime(time.time() + 5 * 86400)),
                          "tel": "13900000000"}.get(kind, text)  # fmt: skip
    return data


def log_write(**entry) -> None:
    COUNTERS[f"told · {entry['kind']}"] += 1
    if LOG_FILE is not None:
        with LOG_FILE.open("a") as out:
            out.write(json.dumps({"t": round(time.time(), 3), **entry}, ensure_ascii=False) + "\n")


# --- the phone -------------------------------------------------------------------------------------
class Phone(HttpUser):
    abstract = True
    wait_time = between(5, 15)
    role = ""

    def on_start(self) -> None:
        self.rng = random.Random()
        account = ACCOUNTS[self.role].popleft()
        ACCOUNTS[self.role].append(account)
        self.username, self.account = account["username"], account
        page = self.call("GET", "/accounts/login/", "sign in · form")
        form = self.form_with(page, "username")
        data = {**(form["fields"] if form else {}), "username": account["username"], "password": account["password"]}
        self.call("POST", "/accounts/login/", "sign in · post", data=data, allow_redirects=True)

    # One request, retried as a phone does: no answer or a 5xx → wait and send the same again.
    def call(self, method: str, path: str, name: str, data: dict | None = None, key: str = "",
             allow_redirects: bool = True):  # fmt: skip
        headers = {"Referer": self.host + path}
        if key:
            headers["Idempotency-Key"] = key
        started, pause = time.monotonic(), 0.5
        while True:
            with self.client.request(
                method, path, name=name, data=data, headers=headers, allow_redirects=allow_redirects,
                catch_response=True, timeout=60,
            ) as response:  # fmt: skip
                status = response.status_code or 0
                if status and status < 500:
                    if status >= 400:
                        response.failure(f"HTTP {status}")
                    else:
                        response.success()
                    return response
                response.failure(f"HTTP {status or 'no answer'}")
            COUNTERS["retries"] += 1
            if time.monotonic() - started > RETRY_FOR:
                COUNTERS["gave up"] += 1
                return None
            gevent.sleep(pause)
            pause = min(pause * 2, 8.0)

    def form_with(self, response, field: str, action: str = "") -> dict | None:
        if response is None or response.status_code != 200:
            return None
        for form in parse(response.text).forms:
            has_field = field in form["fields"] or field in form["selects"]
            if form["method"] == "post" and has_field and (not action or re.search(action, form["action"])):
                return form
        return None

    def submit(self, path: str, form: dict, data: dict, name: str):
        """POST a form (its own action, else the page's path) with its idempotency key; follow the redirect
        and read the message. Returns (ok, the redirect's URL)."""
        key = data.get("idempotency_key") or uuid.uuid4().hex
        data["idempotency_key"] = key
        target = form["action"] or path
        response = self.call("POST", target, f"{name} · post", data=data, key=key, allow_redirects=False)
        if response is None:
            return False, "", key
        if response.status_code not in (301, 302, 303):
            COUNTERS[f"refused · {name}"] += 1  # the form came back with its errors
            said = re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.text, re.S)
            reason = re.sub(r"<[^>]+>|\s+", " ", " ".join(said))[:120].strip()
            REFUSALS[name][reason or f"HTTP {response.status_code}"] += 1
            return False, "", key
        location = response.headers.get("Location", "")
        if response.headers.get("Idempotent-Replayed") == "true":
            COUNTERS[f"replayed (a retry answered with the first write's answer) · {name}"] += 1
        after = self.call("GET", location, f"{name} · result page")
        if after is not None and after.status_code == 200:
            said = parse(after.text).messages
            if any(kind == "error" for kind, _text in said):
                COUNTERS[f"refused · {name}"] += 1
                REFUSALS[name][" ".join(t for k, t in said if k == "error")[:120]] += 1
                return False, location, key
        return True, location, key

    def pick_link(self, response, pattern: str) -> str | None:
        if response is None or response.status_code != 200:
            return None
        links = sorted(set(re.findall(pattern, response.text)))
        return self.rng.choice(links) if links else None

    def act_on(self, list_path: str, list_name: str, pattern: str, kind: str, prefer: list[str],
               opened: bool = False) -> None:  # fmt: skip
        """Open a list, open one row (or, `opened`, the row's page itself), take the first step of `prefer`
        its page offers."""
        if opened:
            link = list_path
        else:
            page = self.call("GET", list_path, list_name)
            link = self.pick_link(page, pattern)
        if not link:
            return
        detail = self.call("GET", link, f"{kind} detail")
        if detail is None or detail.status_code != 200:
            return
        offered = {}
        for form in parse(detail.text).forms:
            found = re.search(r"/step/([a-z_]+)/", form["action"])
            if form["method"] == "post" and found:
                offered[found.group(1)] = form
        for step in prefer:
            if step in offered:
                form = offered[step]
                data = fill(form, self.rng, "已处理，压测记录。")
                ok, _where, key = self.submit(link, form, data, f"{kind} step")
                if ok:
                    log_write(kind=f"{kind}_step", key=key, public_id=re.search(UUID, link).group(0), step=step,
                              user=self.username)  # fmt: skip
                return


class Resident(Phone):
    role = "resident"

    def on_start(self) -> None:
        super().on_start()
        self.grids = self.account.get("grids") or []

    @task(3)
    def report_case(self):
        page = self.call("GET", "/cases/report/", "case report · form")
        form = self.form_with(page, "description")
        if form is None:
            return
        token = f"{TOKEN_PREFIX}{uuid.uuid4().hex[:16]}"
        data = fill(form, self.rng, "压测")
        data.update(description=f"{self.rng.choice(WORDS)}，请尽快处理 {token} 。", address="3栋楼下")
        if self.grids:
            # The pin a phone drops on the map: the middle of one of the home community's grids.
            min_lat, min_lng, max_lat, max_lng = self.rng.choice(self.grids)
            data["lat"] = f"{min_lat + (max_lat - min_lat) * self.rng.uniform(0.4, 0.6):.6f}"
            data["lng"] = f"{min_lng + (max_lng - min_lng) * self.rng.uniform(0.4, 0.6):.6f}"
        ok, where, key = self.submit("/cases/report/", form, data, "case report")
        if ok:
            found = re.search(UUID, where)
            log_write(kind="case_report", key=key, token=token, public_id=found.group(0) if found else "",
                      user=self.username)  # fmt: skip

    @task(2)
    def make_wish(self):
        page = self.call("GET", "/demands/new/", "wish · form")
        form = self.form_with(page, "title")
        if form is None:
            return
        token = f"{TOKEN_PREFIX}{uuid.uuid4().hex[:16]}"
        data = fill(form, self.rng, "压测")
        data.update(kind="micro_wish", title=self.rng.choice(WISHES), description=f"麻烦大家了 {token} 。")
        data.update(estate="", building="")  # a building of another estate would be refused
        data.pop("bank_hours", None)
        ok, _where, key = self.submit("/demands/new/", form, data, "wish")
        if ok:
            log_write(kind="wish", key=key, token=token, user=self.username)

    @task(1)
    def book_room(self):
        rooms = self.account.get("rooms") or []
        if not rooms:
            return
        # A weekday within three weeks, a slot inside the centres' usual hours (09:00–12:00, 14:30–17:30).
        when = time.localtime(time.time() + self.rng.randint(1, 20) * 86400)
        if when.tm_wday >= 5:
            when = time.localtime(time.mktime(when) + (7 - when.tm_wday) * 86400)
        day = time.strftime("%Y-%m-%d", when)
        path = f"/centers/rooms/{self.rng.choice(rooms)}/book/"
        page = self.call("GET", f"{path}?date={day}", "room booking · form")
        form = self.form_with(page, "purpose")
        if form is None:
            return
        hour = self.rng.choice([9, 10, 11, 15, 16])
        data = fill(form, self.rng, "楼栋议事会")
        data.update(date=day, start=f"{hour:02d}:00", end=f"{hour + 1:02d}:00", purpose="楼栋议事会", attendees="6")
        ok, where, key = self.submit(path, form, data, "room booking")
        found = re.search(UUID, where)
        if ok and found:
            log_write(kind="booking", key=key, public_id=found.group(0), user=self.username)

    @task(4)
    def read_mine(self):
        self.call("GET", "/cases/mine/", "my cases")
        self.call("GET", "/demands/mine/", "my wishes")

    @task(1)
    def rate(self):
        self.act_on("/demands/mine/", "my wishes", rf"/demands/{UUID}/", "demand", ["rate"])


class Member(Phone):
    role = "party_member"

    def on_start(self) -> None:
        super().on_start()
        self.claimed: list[str] = []

    @task(3)
    def claim_demand(self):
        page = self.call("GET", "/demands/board/", "demand board")
        if page is None or page.status_code != 200:
            return
        forms = [f for f in parse(page.text).forms if re.search(rf"/demands/board/{UUID}/claim/", f["action"])]
        if forms:
            form = self.rng.choice(forms)
            ok, _where, key = self.submit("/demands/board/", form, fill(form, self.rng, ""), "demand claim")
            if ok:
                log_write(kind="demand_step", key=key, public_id=re.search(UUID, form["action"]).group(0),
                          step="claim", user=self.username)  # fmt: skip

    @task(2)
    def claim_case(self):
        page = self.call("GET", "/cases/claim/", "case claim board")
        if page is None or page.status_code != 200:
            return
        forms = [f for f in parse(page.text).forms if re.search(rf"/cases/claim/{UUID}/", f["action"])]
        if forms:
            form = self.rng.choice(forms)
            ok, _where, key = self.submit("/cases/claim/", form, fill(form, self.rng, ""), "case claim")
            if ok:
                public_id = re.search(UUID, form["action"]).group(0)
                log_write(kind="case_step", key=key, public_id=public_id, step="claim", user=self.username)
                self.claimed.append(public_id)

    @task(3)
    def finish(self):
        self.act_on("/demands/tasks/", "my demand tasks", rf"/demands/{UUID}/", "demand", ["take", "done"])

    @task(2)
    def scan(self):
        """Scan the volunteer activity's code: check in, later check out (the page offers the next step)."""
        activity = self.account.get("activity")
        token = TOKENS.get(activity or "")
        if not token:
            return
        path = f"/volunteering/scan/{token}/"
        page = self.call("GET", path, "check-in scan page")
        form = self.form_with(page, "action")
        if form is None or form["fields"].get("action") not in ("check_in", "check_out"):
            return
        action = form["fields"]["action"]
        ok, _where, key = self.submit(path, form, fill(form, self.rng, ""), "check-in scan")
        if ok:
            log_write(kind="scan", key=key, activity=activity, action=action, user=self.username)

    @task(2)
    def finish_case(self):
        """Close a case this member claimed: from its page (the claim board no longer lists it)."""
        if self.claimed:
            public_id = self.claimed.pop(0)
            self.act_on(f"/cases/{public_id}/", "case detail", rf"/cases/{public_id}/", "case", ["close"], opened=True)


class Worker(Phone):
    """Grid and community workers: the case desk (and, for the community's workers, the demand desk)."""

    abstract = True

    @task(3)
    def case_desk(self):
        prefer = ["accept", "publish", "dispatch", "callback", "archive", "close"]
        self.act_on("/cases/desk/", "case desk", rf"/cases/{UUID}/", "case", prefer)

    @task(1)
    def home(self):
        self.call("GET", "/", "workbench home")


class GridWorker(Worker):
    """Grid workers: the case desk and the patrol form (the demand desk is the community's)."""

    role = "grid_worker"

    @task(1)
    def patrol(self):
        self.call("GET", "/cases/patrol/", "patrol report · form")


class CommunityWorker(Worker):
    role = "community_worker"

    @task(1)
    def show_code(self):
        """Show the activity's check-in code (it rotates): the members scan what this page shows."""
        activity = self.account.get("activity")
        if activity:
            page = self.call("GET", f"/volunteering/activities/{activity}/qr/", "check-in code page")
            found = re.search(r"/volunteering/scan/([^/\"'<\s]+)/", page.text if page is not None else "")
            if found:
                TOKENS[activity] = found.group(1)

    @task(2)
    def demand_desk(self):
        self.act_on("/demands/desk/", "demand desk", rf"/demands/{UUID}/", "demand", ["accept", "publish", "close"])


class Department(Phone):
    role = "department_staff"

    @task(3)
    def handle(self):
        self.act_on("/cases/desk/", "case desk", rf"/cases/{UUID}/", "case", ["take", "close", "report"])

    @task(1)
    def home(self):
        self.call("GET", "/", "workbench home")


class Admin(Phone):
    abstract = True

    @task(3)
    def figures(self):
        self.call("GET", "/cases/figures/", "case figures")
        self.call("GET", "/demands/figures/", "demand figures")

    @task(1)
    def export(self):
        self.call("GET", "/cases/figures/export/", "case figures export")

    @task(1)
    def export_list(self):
        self.call("GET", "/cases/export/", "case list export")

    @task(2)
    def home(self):
        self.call("GET", "/", "workbench home")


class SubdistrictAdmin(Admin):
    role = "subdistrict_admin"


class DistrictAdmin(Admin):
    role = "district_admin"


CLASSES = [Resident, Member, GridWorker, CommunityWorker, Department, SubdistrictAdmin, DistrictAdmin]


def print_stats(env: Environment, seconds: float) -> None:
    def row(label, value, unit=""):
        print(f"{label}: {value}{(' ' + unit) if unit else ''}", flush=True)

    total = env.stats.total
    row("requests", total.num_requests)
    row("errors (failed attempts, each retried)", total.num_failures)
    row("requests/s", f"{total.num_requests / seconds:.1f}")
    for q in (0.5, 0.95, 0.99):
        row(f"all pages · p{int(q * 100)}", total.get_response_time_percentile(q), "ms")
    for (name, method), entry in sorted(env.stats.entries.items()):
        p50, p95, p99 = (entry.get_response_time_percentile(q) for q in (0.5, 0.95, 0.99))
        row(
            f"page · {method} {name}",
            f"{entry.num_requests} requests, {entry.num_failures} errors, p50 {p50} ms, p95 {p95} ms, p99 {p99} ms",
        )
    errors = sorted(env.stats.errors.values(), key=lambda e: (e.method or "", e.name or "", str(e.error)))
    for entry in errors[:40]:
        row(f"error · {entry.method} {entry.name}", f"{entry.occurrences} × {str(entry.error)[:160]}")
    for key, value in sorted(COUNTERS.items()):
        row(f"client · {key}", value)
    for name, reasons in sorted(REFUSALS.items()):
        for reason, n in sorted(reasons.items(), key=lambda kv: -kv[1])[:4]:
            row(f"client · refused · {name} · why", f"{n} × {reason}")


def main() -> None:
    global LOG_FILE, TOKEN_PREFIX
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", required=True)
    parser.add_argument("--accounts", type=Path, required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--log", type=Path, required=True)
    parser.add_argument("--run", default="", help="the run's id, in every token this run writes")
    parser.add_argument("--think", type=float, nargs=2, default=(5.0, 15.0), help="think time between actions (s)")
    parser.add_argument("--spawn-rate", type=float, default=2.0, help="users started per second")
    args = parser.parse_args()
    LOG_FILE = args.log
    TOKEN_PREFIX = f"soak-{args.run}-" if args.run else "soak-"
    accounts = json.loads(args.accounts.read_text())
    for account in accounts:
        ACCOUNTS[account["role"]].append(account)
    for cls in CLASSES:
        cls.fixed_count = len(ACCOUNTS[cls.role])
        cls.wait_time = between(*args.think)
    classes = [cls for cls in CLASSES if cls.fixed_count]
    # At the end a user finishes the action it is in (its write is answered and logged), then stops.
    env = Environment(user_classes=classes, events=events, host=args.host, stop_timeout=RETRY_FOR + 60)
    runner = env.create_local_runner()
    runner.start(len(accounts), spawn_rate=args.spawn_rate)
    started = time.monotonic()
    gevent.spawn_later(args.seconds, runner.quit)
    runner.greenlet.join()
    print_stats(env, time.monotonic() - started)


if __name__ == "__main__":
    main()
