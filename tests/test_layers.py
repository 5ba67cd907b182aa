"""Architecture guards: the non-UI layers never import Qt, and the arrows between layers point one way."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import danvan_desktop

PACKAGE = Path(danvan_desktop.__file__).parent
NON_UI = ["catalog", "db", "services", "formspec", "transport", "reports", "demo", "cli"]
NON_UI_MODULES = ["errors.py", "paths.py", "text.py", "logsetup.py"]


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

