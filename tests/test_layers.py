"""The layering of DESIGN.md section 2, read from the imports of the source tree with ``ast``:

- booking/core is the platform and imports no domain package (only itself and the shell's
  settings);
- a ``models.py`` imports, of the project, only booking.core.db and other models;
- the business rules (services, queries, eligibility, changes) import no web framework, no
  form or schema library, and no routes, pages, API, form or schema module.

Each rule is also broken on purpose in a small tree of its own, so that the checker itself is
known to see it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("booking", "courses", "venues", "materials")
CORE_MAY_IMPORT = ("booking.core", "booking.settings")
RULE_MODULES = {
    "services", "queries", "eligibility", "changes", "exports", "waitlist", "audit", "release",
    "promotion",
    "draw", "draw_record", "offers", "workdays", "issues", "sending",
}  # fmt: skip
"""Modules that hold business rules (or a package's service modules named like this)."""
WEB_LIBRARIES = ("starlette", "wtforms", "pydantic", "pydantic_core", "jinja2")
WEB_MODULES = {
    "routes", "manage", "api", "forms", "schemas", "web", "http_errors", "middleware",
    "coordination",
}  # fmt: skip


@dataclass(frozen=True)
class Import:
    module: str
    """The module importing, dotted (booking.bookings.services)."""
    target: str
    """What it imports, dotted and resolved (booking.core.db, sqlalchemy.orm)."""
    line: int


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, root: Path) -> Iterator[Import]:
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(name, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                # ``from booking import api`` imports the module booking.api
                candidate = f"{base}.{alias.name}"
                as_path = root / Path(*candidate.split("."))
                if as_path.with_suffix(".py").exists() or (as_path / "__init__.py").exists():
                    yield Import(name, candidate, node.lineno)
                else:
                    yield Import(name, base, node.lineno)


def within(target: str, prefixes: tuple[str, ...] | str) -> bool:
    prefixes = (prefixes,) if isinstance(prefixes, str) else prefixes
    return any(target == p or target.startswith(p + ".") for p in prefixes)


def is_project(target: str) -> bool:
    return within(target, PACKAGES)


def violations(root: Path) -> list[str]:
    found = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            for imp in imports_of(path, root):
                where = f"{path.relative_to(root)}:{imp.line} imports {imp.target}"
                last = imp.module.rpartition(".")[2]
                core = within(imp.module, "booking.core")
                if core and is_project(imp.target) and not within(imp.target, CORE_MAY_IMPORT):
                    found.append(f"core imports a domain: {where}")
                if last == "models" and is_project(imp.target):
                    allowed = imp.target == "booking.core.db" or imp.target.endswith(".models")
                    if not allowed:
                        found.append(f"models import more than models and core.db: {where}")
                if last in RULE_MODULES:
                    if within(imp.target, WEB_LIBRARIES):
                        found.append(f"business rules import a web library: {where}")
                    if is_project(imp.target) and imp.target.rpartition(".")[2] in WEB_MODULES:
                        found.append(f"business rules import the web layer: {where}")
    return found


def test_the_source_tree_keeps_its_layers() -> None:
    assert violations(ROOT) == []


def write(root: Path, files: dict[str, str]) -> Path:
    for package in PACKAGES:
        (root / package).mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


CLEAN = {
    "booking/core/db.py": "import sqlalchemy\n",
    "booking/core/web.py": "from starlette import requests\nfrom booking.settings import X\n",
    "booking/settings.py": "",
    "booking/bookings/models.py": "from booking.core.db import B\nfrom courses.models import E\n",
    "booking/bookings/services.py": "from booking.bookings import queries\nimport sqlalchemy\n",
    "booking/bookings/queries.py": "from booking.bookings.models import Booking\n",
    "booking/bookings/routes.py": "from starlette.routing import Route\nfrom . import services\n",
    "booking/bookings/api.py": "from pydantic import BaseModel\n",
    "courses/models.py": "from booking.core.db import Base\n",
}


def test_a_clean_tree_passes(tmp_path: Path) -> None:
    assert violations(write(tmp_path, CLEAN)) == []


@pytest.mark.parametrize(
    ("name", "text", "rule"),
    [
        ("booking/core/web.py", "from booking.members import services\n", "core imports a domain"),
        ("booking/core/db.py", "import courses.models\n", "core imports a domain"),
        ("booking/core/templating.py", "from booking import bookings\n", "core imports a domain"),
        (
            "booking/bookings/models.py",
            "from booking.bookings.services import lock\n",
            "models import more",
        ),
        ("courses/models.py", "from booking.core.web import db\n", "models import more"),
        (
            "booking/bookings/services.py",
            "from starlette.requests import Request\n",
            "import a web library",
        ),
        ("booking/bookings/queries.py", "import wtforms\n", "import a web library"),
        ("booking/bookings/changes.py", "from pydantic import BaseModel\n", "import a web library"),
        (
            "booking/bookings/eligibility.py",
            "from booking.bookings import routes\n",
            "import the web layer",
        ),
        ("booking/bookings/services.py", "from . import api\n", "import the web layer"),
        ("courses/services.py", "from courses.forms import F\n", "import the web layer"),
    ],
)
def test_breaking_a_rule_on_purpose_is_seen(
    tmp_path: Path, name: str, text: str, rule: str
) -> None:
    files = {**CLEAN, name: CLEAN.get(name, "") + text}
    for module in ("booking/bookings/routes.py", "booking/bookings/api.py", "courses/forms.py"):
        files.setdefault(module, "")
    found = violations(write(tmp_path, files))
    assert len(found) == 1 and rule in found[0] and name in found[0], found
