"""The platform core knows no member: create_app hands it what it needs."""

from __future__ import annotations

import ast
from pathlib import Path

import booking.core

CORE = Path(booking.core.__file__).parent


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_imports_nothing_from_members() -> None:
    offenders = {
        path.name: sorted(n for n in imported_modules(path) if n.startswith("booking.members"))
        for path in sorted(CORE.glob("*.py"))
    }
    assert {name: mods for name, mods in offenders.items() if mods} == {}
