"""Architecture guards: the non-UI layers never import Qt, and the arrows between layers point one way."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import danvan_desktop

PACKAGE = Path(danvan_desktop.__file__).parent
NON_UI = ["catalog", "db", "services", "formspec", "transport", "reports", "demo", "cli"]
NON_UI_MODULES = [
    "errors.py",
    "paths.py",
    "atomic_files.py",
    "database_choice.py",
    "text.py",
    "logsetup.py",
    "localtime.py",
]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_non_ui_sources_do_not_import_qt() -> None:
    files = [f for d in NON_UI for f in (PACKAGE / d).rglob("*.py")] + [PACKAGE / m for m in NON_UI_MODULES]
    assert len(files) > 10
    offenders = [str(f) for f in files if any(n.split(".")[0] == "PySide6" for n in _imports(f))]
    assert offenders == []


def test_importing_services_and_cli_does_not_load_qt() -> None:
    code = (
        "import sys, danvan_desktop.cli.main, danvan_desktop.cli.office_commands, danvan_desktop.demo.build, "
        "danvan_desktop.services.office.orgunits; print('PySide6' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _package_imports(folder: str) -> dict[str, set[str]]:
    return {str(f.relative_to(PACKAGE)): _imports(f) for f in (PACKAGE / folder).rglob("*.py")}


def _offenders(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{name}: {module}"
        for name, modules in _package_imports(folder).items()
        for module in modules
        if module.startswith(forbidden)
    )


def test_reports_import_nothing_from_services() -> None:
    """Services build the types reports render; reports own those types."""
    assert _offenders("reports", ("danvan_desktop.services",)) == []


def test_services_never_import_the_demo_the_command_line_or_the_window() -> None:
    forbidden = ("danvan_desktop.demo", "danvan_desktop.cli", "danvan_desktop.ui", "danvan_desktop.app")
    assert _offenders("services", forbidden) == []


def test_lower_layers_never_import_services() -> None:
    for folder in ("catalog", "db", "formspec", "transport"):
        assert _offenders(folder, ("danvan_desktop.services", "danvan_desktop.ui")) == [], folder


def test_the_window_never_imports_the_command_line() -> None:
    assert _offenders("ui", ("danvan_desktop.cli",)) == []
