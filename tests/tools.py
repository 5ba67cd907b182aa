"""Outside programs the tests run (LibreOffice, poppler): found, or a failure naming how to install them."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def require_program(name: str, package: str) -> str:
    """The path of `name`; fails (never skips) when missing: `make test` installs it or names the command."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(
            f"{name} is not installed; install it with "
            f"`sudo apt-get install -y --no-install-recommends {package}` "
            "(tools/system-packages.txt lists it; `make test` installs it when run as root).",
            pytrace=False,
        )
    return path


def libreoffice_resave(source: Path, out_dir: Path, scratch: Path, *, to: str = "xlsx") -> Path:
    """`source` opened and saved again by LibreOffice Calc (headless) into `out_dir`; returns the new file.

    `to` is soffice's --convert-to: an extension, optionally with a filter and its options after ":".

    LibreOffice computes every formula on opening and stores the results, as a user saving the file
    would. Its profile and HOME live in `scratch`, so that it runs as root, in parallel, and never
    reads or changes the user's own settings.
    """
    soffice = require_program("soffice", "libreoffice-calc")
    out_dir.mkdir(parents=True, exist_ok=True)
    (scratch / "home").mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(scratch / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            to,
            "--outdir",
            str(out_dir),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "HOME": str(scratch / "home")},
        check=False,
    )
    out = out_dir / f"{source.stem}.{to.split(':')[0]}"
    # soffice exits 0 even when it could not convert: the file it made is the proof.
    assert result.returncode == 0 and out.is_file(), f"soffice failed: {result.stdout}\n{result.stderr}"
    return out
