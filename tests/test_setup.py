"""The set-up on a fresh machine: one list of system packages, checked before make builds the venv."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ROOT / "tools" / "system-packages.txt"


def _listed() -> dict[str, str]:
    rows = [line.split() for line in PACKAGES.read_text(encoding="utf-8").splitlines()]
    return {row[1]: row[0] for row in rows if row and not row[0].startswith("#")}


def test_the_list_names_what_the_tests_and_make_need() -> None:
    listed = _listed()
    assert set(listed.values()) == {"run", "test"}
    assert {listed[p] for p in ("make", "python3", "python3-venv", "ca-certificates")} == {"run"}
    # Every program a test requires (tests/tools.py require_program) is installed by the list.
    required = {
        match.group(1)
        for path in (ROOT / "tests").rglob("*.py")
        for match in re.finditer(r'require_program\("[^"]+", "([^"]+)"\)', path.read_text(encoding="utf-8"))
    }
    assert required >= {"poppler-utils", "libreoffice-calc"}
    assert required <= set(listed)
    # .ci/run keeps no list of its own: it calls the script, then the README's test command.
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "tools/system-packages.sh test\nmake test\n" in ci
    assert "apt-get" not in ci


def test_make_checks_the_system_packages_before_it_builds_the_venv(tmp_path: Path) -> None:
    shutil.copy(ROOT / "Makefile", tmp_path)
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    # Run from `make test`, this is a make inside make: none of the outer one's flags.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    for goal, need in (("test", "test"), ("run", "run"), ("first-run", "run")):
        lines = subprocess.run(
            ["make", "-n", "--no-print-directory", goal],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
        assert lines[0] == f"bash tools/system-packages.sh {need}", goal
        assert any("-m venv" in line for line in lines[1:]), goal


def test_a_missing_package_stops_at_once_naming_the_one_command() -> None:
    """Without root (so without apt-get), the script installs nothing and prints the command to run."""
    with tempfile.TemporaryDirectory() as folder:  # pytest's own tmp_path is closed to other users
        _check_missing_packages(Path(folder))


def _check_missing_packages(tmp_path: Path) -> None:
    tools = tmp_path / "tools"
    tools.mkdir()
    shutil.copy(ROOT / "tools" / "system-packages.sh", tools)
    (tools / "system-packages.txt").write_text(
        "# need package\nrun bash\ntest no-such-package-danvan\ntest another-missing-danvan\n",
        encoding="utf-8",
    )
    tmp_path.chmod(0o755)
    tools.chmod(0o755)
    command = ["bash", str(tools / "system-packages.sh")]
    if os.geteuid() == 0:  # as root it would install: check what an ordinary user sees
        command = ["runuser", "-u", "nobody", "--", *command]
    result = subprocess.run([*command, "test"], capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Missing system packages: no-such-package-danvan another-missing-danvan" in result.stderr
    assert (
        "sudo apt-get install -y --no-install-recommends no-such-package-danvan another-missing-danvan"
        in result.stderr
    )
    result = subprocess.run([*command, "run"], capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")  # bash is there
