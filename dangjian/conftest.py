"""A small, hand-built world for the tests: two subdistricts, three communities, grids
with known squares, organizations, a unit, a department, and a user per role."""

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from dangjian.accounts import services as account_services
from dangjian.orgs import services as org_services
from dangjian.territory import services as territory_services
from dangjian.units.models import Department, ResidentUnit

PASSWORD = "Test-pass-2026"


def square(lng: float, lat: float, size: float = 0.01) -> dict:
    """A square grid boundary with its south-west corner at (lng, lat)."""
    return {
        "type": "Polygon",
        "coordinates": [[[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]],
    }


def make_user(username: str, role: str | None = None, **scope) -> object:
    user = account_services.user_create(
        actor=None, username=username, password=PASSWORD, full_name=username, validate=False
    )
    if role:
        account_services.role_assign(actor=None, user=user, role=role, **scope)
    return user


@pytest.fixture(autouse=True)
def _grid_index_reads_its_token(settings):
    """The suite replaces the whole database from one test to the next, within the index's check
    interval (GRID_INDEX_CHECK_SECONDS): here the index reads the grid version token on every
    placement, as a deployment would right after restoring a backup. test_gridcache.py sets its own
    interval to test the interval itself."""
    from dangjian.territory.geo import grid_index_copy

    settings.GRID_INDEX_CHECK_SECONDS = 0
    grid_index_copy.invalidate()


def _build_world() -> SimpleNamespace:
    a = territory_services.area_create
    district = a(actor=None, level="district", name="香洲区", parent=None, code="440402")
    s1 = a(actor=None, level="subdistrict", name="拱北街道", parent=district, code="440402001")
    s2 = a(actor=None, level="subdistrict", name="吉大街道", parent=district, code="440402002")
    c1 = a(actor=None, level="community", name="婆石社区", parent=s1, code="440402001001")
    c2 = a(actor=None, level="community", name="茂盛社区", parent=s1)
    c3 = a(actor=None, level="community", name="海虹社区", parent=s2)
    g1a = a(actor=None, level="grid", name="婆石第一网格", parent=c1, boundary=square(113.50, 22.20))
    g1b = a(actor=None, level="grid", name="婆石第二网格", parent=c1, boundary=square(113.51, 22.20))
    g2 = a(actor=None, level="grid", name="茂盛第一网格", parent=c2, boundary=square(113.53, 22.20))
    g3 = a(actor=None, level="grid", name="海虹第一网格", parent=c3, boundary=square(113.60, 22.30))
    estate = territory_services.estate_save(actor=None, community=c1, name="中珠新村", lat=22.205, lng=113.505)
    estate3 = territory_services.estate_save(actor=None, community=c3, name="海虹花园", lat=22.305, lng=113.605)
    building = territory_services.building_save(
        actor=None, community=c1, estate=estate, name="1栋", lat=22.206, lng=113.506
    )
    unit = ResidentUnit.objects.create(name="拱北口岸中心", kind="agency", community=c1)
    dept = Department.objects.create(name="香洲区城管局", kind="city_management", area=district)
    dept2 = Department.objects.create(name="香洲区环卫中心", kind="sanitation", area=district)
    o = org_services.org_create
    dc = o(actor=None, org_type="district_committee", name="香洲区委", parent=None, area=district)
    wc1 = o(actor=None, org_type="working_committee", name="拱北街道党工委", parent=dc, area=s1)
    wc2 = o(actor=None, org_type="working_committee", name="吉大街道党工委", parent=dc, area=s2)
    cc1 = o(actor=None, org_type="expanded_committee", name="婆石社区大党委", parent=wc1, area=c1)
    cc3 = o(actor=None, org_type="community_committee", name="海虹社区党委", parent=wc2, area=c3)
    eb = o(actor=None, org_type="estate_branch", name="中珠新村小区党支部", parent=cc1, area=c1, estate=estate)
    bg = o(
        actor=None,
        org_type="building_group",
        name="1栋楼宇党小组",
        parent=eb,
        area=c1,
        estate=estate,
        building=building,
    )
    hub = o(actor=None, org_type="hub_household", name="1栋党员中心户", parent=bg, area=c1, building=building)
    ub = o(actor=None, org_type="branch", name="口岸中心党支部", parent=cc1, area=c1, unit=unit)
    eb3 = o(actor=None, org_type="estate_branch", name="海虹花园小区党支部", parent=cc3, area=c3, estate=estate3)
    users = SimpleNamespace(
        district_admin=make_user("qu", "district_admin", area=district),
        subdistrict_admin=make_user("jd1", "subdistrict_admin", area=s1),
        subdistrict_admin_colleague=make_user("jd1b", "subdistrict_admin", area=s1),
        subdistrict_admin_outsider=make_user("jd2", "subdistrict_admin", area=s2),
        community_worker=make_user("sq1", "community_worker", area=c1),
        community_worker_colleague=make_user("sq1b", "community_worker", area=c1),
        community_worker_outsider=make_user("sq3", "community_worker", area=c3),
        grid_worker=make_user("wg1", "grid_worker", area=g1a),
        grid_worker_outsider=make_user("wg3", "grid_worker", area=g3),
        member=make_user("dy", "party_member", home_community=c1),
        resident=make_user("jm", "resident", home_community=c1),
        unit_contact=make_user("dw", "unit_contact", unit=unit),
        department_staff=make_user("bm", "department_staff", department=dept),
        department_staff_outsider=make_user("bm2", "department_staff", department=dept2),
        nobody=make_user("nobody"),
    )
    return SimpleNamespace(
        district=district, s1=s1, s2=s2, c1=c1, c2=c2, c3=c3, g1a=g1a, g1b=g1b, g2=g2, g3=g3,
        estate=estate, estate3=estate3, building=building, unit=unit, dept=dept, dept2=dept2,
        dc=dc, wc1=wc1, wc2=wc2, cc1=cc1, cc3=cc3, eb=eb, bg=bg, hub=hub, ub=ub, eb3=eb3, users=users,
    )  # fmt: skip


@pytest.fixture
def world(db):
    """The small world, built by its services the first time in a session and copied back from the
    rows that build wrote in every later test that runs in a transaction (see _WorldRows)."""
    from django.db import connection

    kept = _WORLDS.get(connection.alias)
    if not connection.in_atomic_block or os.environ.get("DANGJIAN_WORLD_BUILD"):
        return _build_world()  # transactional tests (on-commit hooks run), or asked: build for real
    if kept is None:
        before = _WorldRows.read_tables()
        built = _build_world()
        _WORLDS[connection.alias] = _WorldRows.capture(before, built) or False
        return built
    if kept and kept.restore():
        return kept.objects()
    return _build_world()


class _WorldRows:
    """The rows the world's build wrote, kept in memory once per database, and put back by one
    INSERT per table inside the test's transaction (a build takes some 520 queries; this takes
    about 40). Kept only when the build added rows and changed none it found; put back only when
    the tables it wrote hold what they held before the first build (no earlier fixture of the test
    has written to them) and on the same day (timestamps stay true)."""

    def __init__(self, tables, baseline, names, day):
        self.tables = tables  # [(model, table, columns, rows)]
        self.baseline = baseline  # {table: rows before the build}
        self.names = names  # {attribute: (model, pk)}, users as "users.<role>"
        self.day = day

    @staticmethod
    def _columns(model) -> list[str]:
        return [f.column for f in model._meta.concrete_fields if not getattr(f, "generated", False)]

    @classmethod
    def read_tables(cls) -> dict:
        """{model: {pk: row}} for every managed table (PostgreSQL: each row as its JSON text)."""
        from django.db import connection

        quote = connection.ops.quote_name
        out = {}
        with connection.cursor() as cursor:
            for model in _managed_models():
                columns = cls._columns(model)
                names = ", ".join(quote(c) for c in columns)
                pk = quote(model._meta.pk.column)
                table = quote(model._meta.db_table)
                if connection.vendor == "postgresql":
                    sql = f"SELECT t.{pk}, row_to_json(t)::text FROM (SELECT {names} FROM {table}) t"  # noqa: S608
                    cursor.execute(sql)
                    out[model] = dict(cursor.fetchall())
                else:
                    at = columns.index(model._meta.pk.column)
                    cursor.execute(f"SELECT {names} FROM {table}")  # noqa: S608
                    out[model] = {row[at]: row for row in cursor.fetchall()}
        return out

    @classmethod
    def capture(cls, before: dict, built: SimpleNamespace) -> "_WorldRows | None":
        from django.utils import timezone

        after = cls.read_tables()
        tables = []
        for model, rows in after.items():
            old = before[model]
            if any(pk not in rows or rows[pk] != row for pk, row in old.items()):
                return None  # the build changed or removed a row it found: not a pure addition
            added = [row for pk, row in rows.items() if pk not in old]
            if added:
                tables.append((model, model._meta.db_table, cls._columns(model), added))
        names = {}
        for key, value in vars(built).items():
            if key == "users":
                names.update({f"users.{k}": (type(u), u.pk) for k, u in vars(value).items()})
            else:
                names[key] = (type(value), value.pk)
        baseline = {model._meta.db_table: len(before[model]) for model, *_ in tables}
        return cls(tables, baseline, names, timezone.localdate())

    def restore(self) -> bool:
        from django.core.management.color import no_style
        from django.db import IntegrityError, connection, transaction
        from django.utils import timezone

        from dangjian.territory.geo import grid_index_copy

        if timezone.localdate() != self.day:
            return False
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            counts = " UNION ALL ".join(
                f"SELECT {i}, COUNT(*) FROM {quote(table)}"  # noqa: S608
                for i, (_model, table, _columns, _rows) in enumerate(self.tables)
            )
            cursor.execute(counts)
            found = dict(cursor.fetchall())
            if any(found[i] != self.baseline[table] for i, (_m, table, _c, _r) in enumerate(self.tables)):
                return False
            try:
                with transaction.atomic():
                    for _model, table, columns, rows in self.tables:
                        names = ", ".join(quote(c) for c in columns)
                        if connection.vendor == "postgresql":
                            cursor.execute(
                                f"INSERT INTO {quote(table)} ({names}) SELECT {names} "  # noqa: S608
                                f"FROM json_populate_recordset(NULL::{quote(table)}, %s::json)",
                                ["[" + ",".join(rows) + "]"],
                            )
                        else:
                            marks = ", ".join(["%s"] * len(columns))
                            cursor.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})", rows)  # noqa: S608
                    resets = connection.ops.sequence_reset_sql(no_style(), [m for m, *_ in self.tables])
                    if resets:
                        cursor.execute(";\n".join(resets))
            except IntegrityError:
                return False
        grid_index_copy.invalidate()
        return True

    def objects(self) -> SimpleNamespace:
        """Fresh instances of the world's named rows (one query per model)."""
        wanted: dict = {}
        for model, pk in self.names.values():
            wanted.setdefault(model, set()).add(pk)
        found = {model: model._base_manager.in_bulk(pks) for model, pks in wanted.items()}
        world, users = {}, {}
        for key, (model, pk) in self.names.items():
            if key.startswith("users."):
                users[key.removeprefix("users.")] = found[model][pk]
            else:
                world[key] = found[model][pk]
        return SimpleNamespace(**world, users=SimpleNamespace(**users))


_WORLDS: dict = {}


@pytest.fixture
def login(client):
    """Sign a test client in as a user (bypassing the throttle-checked form)."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def assert_scoped(client):
    """Owner and colleague in scope get 200; the outsider gets 404, not the data."""

    def check(url, *, owner, colleague=None, outsider, method="get", expect_text=None):
        for user, expected in ((owner, 200), (colleague, 200), (outsider, 404)):
            if user is None:
                continue
            client.force_login(user)
            response = getattr(client, method)(url)
            assert response.status_code == expected, (url, user.username, response.status_code)
            if expected == 200 and expect_text:
                assert expect_text in response.content.decode()
            if expected == 404 and expect_text:
                assert expect_text not in response.content.decode()
            client.logout()

    return check


@pytest.fixture
def count_queries(client):
    """The number of SQL queries one request takes, for bounding list pages."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def run(user, url):
        client.force_login(user)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    return run


# --- browser tests -----------------------------------------------------------------------
# Playwright's Python package drives Debian's Chromium (never `playwright install`).
# Screenshots land in var/screenshots/ for a person to look at.
# Pages run under a Content-Security-Policy without 'unsafe-eval': give page.wait_for_function an
# arrow function ("() => ..."), not a bare expression, which Playwright would eval inside the page.

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
# Widths the `browser` fixture runs each test at. CI's PostgreSQL pass sets "desktop": the layout
# does not depend on the database, and the SQLite pass has already looked at both widths.
BROWSER_WIDTHS = os.environ.get("DANGJIAN_BROWSER_WIDTHS", ",".join(VIEWPORTS)).split(",")
if unknown := set(BROWSER_WIDTHS) - set(VIEWPORTS):
    raise pytest.UsageError(f"DANGJIAN_BROWSER_WIDTHS: unknown width {sorted(unknown)}; known: {list(VIEWPORTS)}")
# Names that would run script if a page or a script ever rendered data as HTML.
XSS_IMG = "<img src=x onerror=window.__xss=1>"
XSS_SCRIPT = "<script>window.__xss=1</script>"
SCREENSHOTS = Path(os.environ.get("DANGJIAN_VAR_DIR", Path(__file__).resolve().parent.parent / "var")) / "screenshots"


@pytest.fixture(scope="session")
def chromium():
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls in the test
    # body are still synchronous, so the async-safety guard is lifted for browser tests only.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Once Playwright's loop is running in this thread, Django hands out new connection objects
    # (context-local storage). Give them the snapshot of the seeded rows that serialized rollback
    # restores, or every later transactional test would start without them.
    snapshots = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    playwright = sync_playwright().start()
    for alias, contents in snapshots.items():
        connections[alias]._test_serialized_contents = contents
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    playwright.stop()


class Browser:
    """One person's browser at one width, against the live server."""

    def __init__(self, context, base_url: str, width_name: str):
        self.context, self.base_url, self.width_name = context, base_url, width_name
        self.page = context.new_page()
        self.page.set_default_timeout(10_000)
        # What the Content-Security-Policy refused (Chromium logs each refusal as a console error).
        self.csp_refusals: list[str] = []
        self.page.on("console", self._note_csp_refusal)

    def _note_csp_refusal(self, message):
        if message.type == "error" and "Content Security Policy" in message.text:
            self.csp_refusals.append(message.text)

    def go(self, path: str):
        self.page.goto(self.base_url + path)
        return self.page

    def sign_in(self, username: str, password: str):
        self.go("/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state("networkidle")
        return self.page

    def open_nav(self, key: str):
        """Click a menu item as a person would: on a phone, items beyond the bar sit under 更多."""
        item = self.page.locator(f"[data-nav={key}]")
        if not item.is_visible():
            self.page.click(".nav-more-toggle")
        item.click()
        self.page.wait_for_load_state("networkidle")
        return self.page

    def shot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}-{self.width_name}.png"
        # A field left focused makes Chromium, after a tall page's full-page capture, scroll back to it
        # when the next click moves the focus: the mouse-up then lands on another element.
        self.page.evaluate("document.activeElement && document.activeElement.blur()")
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def map_tooltips(self, map_selector: str) -> list[str]:
        """Hover every shape of a Leaflet map as a person would and read each tooltip as text."""
        texts = []
        # Mid-screen: clear of the sticky top bar and the phone's bottom menu bar.
        self.page.locator(map_selector).evaluate("el => el.scrollIntoView({ block: 'center' })")
        # Shapes are where they stay once fitBounds' zoom animation is over: the same boxes for ten frames.
        self.page.wait_for_function(
            """s => {
              const boxes = JSON.stringify([...document.querySelectorAll(s + " path.leaflet-interactive")]
                .map(p => { const b = p.getBoundingClientRect(); return [b.x, b.y, b.width, b.height]; }));
              window.__djSameFrames = boxes === window.__djBoxes ? (window.__djSameFrames || 0) + 1 : 0;
              window.__djBoxes = boxes;
              // Under load the first frames can hold every path still empty (0×0): not yet drawn, not settled.
              const drawn = JSON.parse(boxes).some(b => b[2] >= 2 || b[3] >= 2);
              const animating = document.querySelector(s).matches(".leaflet-zoom-anim, .leaflet-pan-anim")
                || document.querySelector(s + " .leaflet-zoom-anim, " + s + " .leaflet-pan-anim") !== null;
              return window.__djSameFrames >= 10 && drawn && !animating;
            }""",
            arg=map_selector,
        )
        shapes = self.page.locator(f"{map_selector} path.leaflet-interactive")
        for i in range(shapes.count()):
            box = shapes.nth(i).bounding_box()
            if box["width"] < 2 and box["height"] < 2:
                continue  # culled by Leaflet: outside the drawn part of the map
            # Off the middle: a grid's middle often holds an estate's marker.
            self.page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.3)
            tooltip = self.page.locator(f"{map_selector} .leaflet-tooltip")
            tooltip.last.wait_for()
            texts.append(tooltip.last.text_content())
            assert tooltip.locator("img, script").count() == 0, "a name became markup in a tooltip"
            self.page.mouse.move(0, 0)
        return texts

    def chart_tooltip(self, selector: str, name: str):
        """Point at the category `name` of an ECharts bar chart, just above its baseline, as a person
        would; the tooltip (a div the chart appends to its own box) once it shows that name, or markup."""
        page = self.page
        page.locator(selector).evaluate("el => el.scrollIntoView({ block: 'center' })")
        point = page.evaluate(
            """([s, name]) => {
              const chart = echarts.getInstanceByDom(document.querySelector(s));
              const i = chart.getOption().xAxis[0].data.indexOf(name);
              if (i < 0) { return null; }
              const p = chart.convertToPixel({ seriesIndex: 0 }, [i, 0]);
              const box = document.querySelector(s).getBoundingClientRect();
              return [box.x + p[0], box.y + p[1] - 4];
            }""",
            [selector, name],
        )
        assert point is not None, f"{name!r} is not a category of {selector}"
        page.mouse.move(*point)
        tooltip = page.locator(f"{selector} > div:not(:has(canvas, svg))")
        page.wait_for_function(
            """([s, name]) => [...document.querySelectorAll(s + " > div")].some(d =>
              !d.querySelector("canvas, svg") && d.offsetParent !== null
              && (d.textContent.includes(name) || d.querySelector("img, script")))""",
            arg=[selector, name],
        )
        return tooltip

    def assert_no_script_from_data(self):
        """None of the XSS_* names ran."""
        assert self.page.evaluate("typeof window.__xss") == "undefined", "a name ran as script"

    def assert_fits(self):
        """Nothing overflows sideways, the Chinese text is drawn with a CJK font (not boxes), and
        nothing on the way here was refused by the Content-Security-Policy."""
        overflow = self.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"page is {overflow}px wider than the {self.width_name} viewport"
        has_cjk_font = self.page.evaluate("document.fonts.check('16px \"Noto Sans CJK SC\"', '党建')")
        assert has_cjk_font, "no CJK font available to draw Chinese text"
        assert not self.csp_refusals, f"the page needs what the Content-Security-Policy forbids: {self.csp_refusals}"


@pytest.fixture(params=BROWSER_WIDTHS)
def browser(request, chromium, live_server):
    """A fresh browser context per test, at each of BROWSER_WIDTHS (phone and desktop by default)."""
    name = request.param
    context = chromium.new_context(viewport=VIEWPORTS[name], locale="zh-CN", timezone_id="Asia/Shanghai")
    yield Browser(context, live_server.url, name)
    context.close()


@pytest.fixture
def new_browser(chromium, live_server):
    """Open further browsers (other people) at a given width inside one test."""
    contexts = []

    def open_browser(width_name: str = "phone") -> Browser:
        context = chromium.new_context(viewport=VIEWPORTS[width_name], locale="zh-CN", timezone_id="Asia/Shanghai")
        contexts.append(context)
        return Browser(context, live_server.url, width_name)

    yield open_browser
    for context in contexts:
        context.close()


_DEMO_SNAPSHOTS: dict[str, list] = {}
# Where the demo's rows are kept between tests, inside the test database but out of Django's sight
# (introspection, flush and backups list only the main schema): an attached SQLite file, or a
# PostgreSQL schema off the search path.
SNAPSHOT = "dj_demo_snapshot"


def _managed_models() -> list:
    from django.apps import apps

    return [m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy]


def _demo_tables() -> list[tuple[str, list[str]]]:
    """Every managed table of the project with its stored columns (not generated ones), quoted for SQL."""
    from django.db import connection

    quote = connection.ops.quote_name
    return [
        (
            quote(model._meta.db_table),
            [quote(f.column) for f in model._meta.concrete_fields if not getattr(f, "generated", False)],
        )
        for model in _managed_models()
    ]


def _snapshot_space(cursor) -> None:
    """Make the snapshot's schema (PostgreSQL) or attach its file (SQLite: per connection)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {SNAPSHOT}")
        return
    cursor.execute("PRAGMA database_list")
    if SNAPSHOT not in {row[1] for row in cursor.fetchall()}:
        path = SCREENSHOTS.parent / f"demo-snapshot-{os.getpid()}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        cursor.execute(f"ATTACH DATABASE %s AS {SNAPSHOT}", [str(path)])


def _keep_demo_tables(tables: list[tuple[str, list[str]]]) -> None:
    """Copy every table's rows into the snapshot, in the database itself: no rows pass through Python."""
    from django.db import connection

    with connection.cursor() as cursor:
        _snapshot_space(cursor)
        for table, _columns in tables:
            cursor.execute(f"DROP TABLE IF EXISTS {SNAPSHOT}.{table}")
            cursor.execute(f"CREATE TABLE {SNAPSHOT}.{table} AS SELECT * FROM {table}")  # noqa: S608


def _load_demo_tables(tables: list[tuple[str, list[str]]]) -> None:
    """Put the kept rows back in one transaction: foreign keys are checked at commit on both
    backends, so the order of the tables does not matter."""
    from django.core.management.color import no_style
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        _snapshot_space(cursor)  # outside the transaction: SQLite cannot attach inside one
    with transaction.atomic(), connection.cursor() as cursor:
        for table, _columns in tables:  # the rows data migrations seeded come back from the snapshot too
            cursor.execute(f"SELECT 1 FROM {table} LIMIT 1")  # noqa: S608
            if cursor.fetchone():  # (ledgers refuse DELETE; a flushed test database holds none of theirs)
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608
        for table, columns in tables:
            names = ", ".join(columns)
            cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {SNAPSHOT}.{table}")  # noqa: S608
        # Rows came in with their ids: move PostgreSQL's sequences past them (SQLite follows by itself).
        for statement in connection.ops.sequence_reset_sql(no_style(), _managed_models()):
            cursor.execute(statement)


@pytest.fixture
def demo(transactional_db):
    """The demo district as `make run` builds it; the fixture's value is the builder's `Built`.

    The first test of a session builds it and copies every table's rows aside; later tests copy
    those rows back, which takes a fraction of a build (the models in `Built` keep their ids)."""
    from django.db import connection

    from dangjian.demo import builder

    kept = _DEMO_SNAPSHOTS.get(connection.alias)
    if kept is None:
        # Tests with this fixture skip serialized rollback (pytest_collection_modifyitems): put the rows
        # data migrations seed back before the first build (those present are saved again, not doubled).
        seeded = getattr(connection, "_test_serialized_contents", None)
        if seeded:
            connection.creation.deserialize_db_from_string(seeded)
        built = builder.build_demo_district()
        tables = _demo_tables()
        _keep_demo_tables(tables)
        _DEMO_SNAPSHOTS[connection.alias] = [built, tables]
        return built
    built, tables = kept
    _load_demo_tables(tables)
    return built


def _shard(config, items) -> None:
    """DANGJIAN_SHARD="1,2,3/4": keep the test files whose place in the sorted list of files, modulo 4,
    is 1, 2 or 3 (CI splits the PostgreSQL run in two processes this way; a file stays whole, so its
    module fixtures are built once)."""
    spec = os.environ.get("DANGJIAN_SHARD", "")
    if not spec:
        return
    try:
        picked, count = spec.split("/")
        shards, n = {int(k) for k in picked.split(",")}, int(count)
    except ValueError as exc:
        raise pytest.UsageError(f'DANGJIAN_SHARD: "{spec}" is not like "0/4" or "1,2,3/4"') from exc
    files = sorted({item.nodeid.split("::", 1)[0] for item in items})
    place = {path: i % n for i, path in enumerate(files)}
    kept, dropped = [], []
    for item in items:
        (kept if place[item.nodeid.split("::", 1)[0]] in shards else dropped).append(item)
    config.hook.pytest_deselected(items=dropped)
    items[:] = kept


def pytest_collection_modifyitems(config, items):
    """Transactional tests (threads, live server) end by flushing every table, which would also
    remove the rows that data migrations seed (default reasons, standards, service intentions).
    Serialized rollback puts those rows back at the start of each such test, except where the `demo`
    fixture copies every table back from its snapshot anyway."""
    _shard(config, items)
    for item in items:
        marker = item.get_closest_marker("django_db")
        kwargs = dict(marker.kwargs) if marker else {}
        if marker and marker.args:
            kwargs.setdefault("transaction", marker.args[0])
        transactional = kwargs.get("transaction") or {"transactional_db", "live_server"} & set(item.fixturenames)
        if transactional:
            kwargs.update(transaction=True, serialized_rollback="demo" not in item.fixturenames)
            item.add_marker(pytest.mark.django_db(**kwargs), append=False)


# Rows every flush would delete only for the post_migrate signal that follows to write them again.
KEPT_ON_FLUSH = frozenset({"django_content_type", "auth_permission"})


def _fast_flush() -> None:
    """A transactional test ends by flushing every table, then post_migrate writes the content types
    and permissions again. In the test run, keep those two tables (the signal then finds them all and
    writes nothing). On PostgreSQL, where one TRUNCATE of some 220 tables takes over a second whatever
    they hold, delete the rows of the tables that hold any instead, with triggers off for that
    transaction (so the foreign keys and the ledgers' append-only guards do not stand in the way)."""
    # Through the backends' base modules: importing an operations module first is a circular import.
    from django.db.backends.postgresql import base as postgresql
    from django.db.backends.sqlite3 import base as sqlite

    for ops in (postgresql.DatabaseOperations, sqlite.DatabaseOperations):
        original = ops.sql_flush

        def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False, original=original):
            if reset_sequences:
                return original(self, style, tables, reset_sequences=True, allow_cascade=allow_cascade)
            tables = [t for t in tables if t not in KEPT_ON_FLUSH]
            if self.connection.vendor != "postgresql" or not tables:
                return original(self, style, tables, allow_cascade=allow_cascade)
            quote = self.quote_name
            with self.connection.cursor() as cursor:
                cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                if not cursor.fetchone()[0]:  # session_replication_role needs a superuser
                    return original(self, style, tables, allow_cascade=allow_cascade)
                cursor.execute(
                    " UNION ALL ".join(
                        f"SELECT {i} WHERE EXISTS (SELECT 1 FROM {quote(t)})"  # noqa: S608
                        for i, t in enumerate(tables)
                    )
                )
                full = [tables[row[0]] for row in cursor.fetchall()]
            if not full:
                return []
            return ["SET LOCAL session_replication_role = replica", *(f"DELETE FROM {quote(t)}" for t in full)]

        ops.sql_flush = sql_flush


_fast_flush()


# --- read replicas ---------------------------------------------------------------------------
# On PostgreSQL the suite knows the alias `replica1` (unless DATABASE_REPLICA_URLS made it): a test
# mirror of `default`, so it has no test database of its own and, with no router installed, nothing
# reads it. dangjian/core/tests/test_replica.py points it at a real copy of the test database.
def _add_replica_alias() -> None:
    from django.conf import settings

    primary = settings.DATABASES["default"]
    if primary["ENGINE"] == "django.db.backends.postgresql" and "replica1" not in settings.DATABASES:
        test = {"CHARSET": None, "COLLATION": None, "MIGRATE": True, "NAME": None, "MIRROR": "default"}
        settings.DATABASES["replica1"] = {**primary, "TEST": test}


_add_replica_alias()
