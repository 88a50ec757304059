"""Arrows point down: core imports no other app, no app imports one of a layer above it (docs/architecture.md),
and no product app imports the demo."""

import ast
from pathlib import Path

import dangjian

ROOT = Path(dangjian.__file__).parent
APPS = {p.name for p in ROOT.iterdir() if (p / "apps.py").is_file()}


# The layers, bottom up (docs/architecture.md). An app may import its own layer and those beneath it.
LAYERS = [
    {"core"},
    {"territory", "orgs", "accounts", "audit", "imports", "notifications"},
    {"people", "units", "meetings"},
    {
        "registration",
        "centers",
        "cases",
        "open311",
        "demands",
        "volunteering",
        "timebank",
        "points",
        "notices",
        "deliberation",
        "funds",
        "microprojects",
        "orglife",
        "dues",
        "recruitment",
        "cobuilding",
        "mobilization",
        "workforce",
        "assessment",
        "duties",
    },
    {"dashboard", "api", "cockpit"},
    {"demo"},
]
RANK = {app: rank for rank, layer in enumerate(LAYERS) for app in layer}


def _type_checking_only(tree: ast.AST) -> set[int]:
    """The ids of import nodes under `if TYPE_CHECKING:`: annotations, not arrows at run time."""
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", getattr(node.test, "attr", "")) == "TYPE_CHECKING":
            skipped.update(id(child) for stmt in node.body for child in ast.walk(stmt))
    return skipped


def imported_modules(source: str, package: str) -> set[str]:
    """Every module `source` imports (relative imports resolved against `package`), wherever the import stands,
    except under `if TYPE_CHECKING:`."""
    found = set()
    tree = ast.parse(source)
    skipped = _type_checking_only(tree)
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = parts[: len(parts) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def imports_of(path: Path) -> set[str]:
    package = ".".join(path.relative_to(ROOT.parent).parts[:-1])
    return imported_modules(path.read_text(), package)


def app_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "dangjian" and parts[1] in APPS else None


def modules_of(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "tests" not in path.relative_to(ROOT / app).parts:
            yield path


def test_the_checker_sees_absolute_relative_and_nested_imports():
    source = (
        "import dangjian.people.models\n"
        "from .. import services\n"
        "from .models import Case\n"
        "def f():\n"
        "    from dangjian.accounts.roles import Role\n"
    )
    found = {app_of(m) for m in imported_modules(source, "dangjian.cases.whistle")} - {None}
    assert found == {"people", "cases", "accounts"}
    assert app_of("dangjian.accounts.roles") == "accounts" and app_of("django.db") is None
    assert {"core", "accounts", "cases", "demo", "dashboard"} <= APPS


def test_the_checker_ignores_imports_for_type_checking_only():
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from dangjian.units.models import ResidentUnit\n"
    assert {app_of(m) for m in imported_modules(source, "dangjian.orgs")} == {None}


def test_every_app_has_a_layer():
    assert set(RANK) == APPS


def test_no_app_imports_a_layer_above_its_own():
    offending = {
        f"{path.relative_to(ROOT)}: {module}"
        for app in APPS
        for path in modules_of(app)
        for module in imports_of(path)
        if app_of(module) is not None and RANK[app_of(module)] > RANK[app]
    }
    assert offending == set()


def test_core_imports_no_other_app():
    offending = {
        f"{path.relative_to(ROOT)}: {module}"
        for path in modules_of("core")
        for module in imports_of(path)
        if app_of(module) not in (None, "core")
    }
    assert offending == set()


def test_no_product_app_imports_the_demo():
    offending = {
        f"{path.relative_to(ROOT)}: {module}"
        for app in APPS - {"demo"}
        for path in modules_of(app)
        for module in imports_of(path)
        if app_of(module) == "demo"
    }
    assert offending == set()


def test_product_apps_carry_no_demo_or_bulk_data_modules():
    leftovers = [
        str(path.relative_to(ROOT))
        for app in APPS - {"demo"}
        for path in (ROOT / app).rglob("*.py")
        if path.stem in {"demo_data", "bulk"} and "tests" not in path.parts
    ]
    assert leftovers == []
