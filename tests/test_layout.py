"""The layout holds: use cases and the shared core never import Telegram's library, and the
top-level packages import each other in one direction only (no cycle; the stand-in of the Bot
API stands alone, so the preview imports it and never the other way round)."""

from __future__ import annotations

import ast
from pathlib import Path

from core.config import PROJECT_ROOT

PACKAGES = ("app", "bot", "core", "db", "flows", "standin")


def imports_of(path: Path) -> set[str]:
    """Absolute module names imported anywhere in a file (inside functions too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def modules(package: str) -> list[Path]:
    return sorted((PROJECT_ROOT / package).rglob("*.py"))


def package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {package: set() for package in PACKAGES}
    for package in PACKAGES:
        for path in modules(package):
            for name in imports_of(path):
                top = name.split(".")[0]
                if top in PACKAGES and top != package:
                    graph[package].add(top)
    return graph


def test_use_cases_and_core_never_import_telegram():
    offenders = [f"{path.relative_to(PROJECT_ROOT)}: {name}" for package in ("app", "core", "flows", "db")
                 for path in modules(package) for name in imports_of(path) if name.split(".")[0] == "telegram"]
    assert not offenders, offenders
    assert len(modules("app")) > 10, "app/ is where the use cases live: the walk found too few modules"


def test_no_import_cycle_between_top_level_packages():
    graph = package_graph()
    assert "core" in graph["bot"] and "app" in graph["bot"], "the walk missed the adapter's imports"
    finished: set[str] = set()

    def visit(package: str, path: tuple[str, ...]) -> None:
        assert package not in path, f"import cycle: {' → '.join(path + (package,))}"
        if package in finished:
            return
        for imported in sorted(graph[package]):
            visit(imported, path + (package,))
        finished.add(package)

    for package in PACKAGES:
        visit(package, ())


def test_the_standin_imports_neither_the_adapter_nor_the_use_cases():
    graph = package_graph()
    assert not graph["standin"] & {"bot", "app"}, graph["standin"]
    assert not graph["app"] & {"bot", "standin"}, graph["app"]
    assert not graph["core"] - set(), graph["core"]  # the ground everything stands on imports none of it
