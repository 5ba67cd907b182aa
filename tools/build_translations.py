"""Compile resources/translations (*.ts → .qm for Qt, *.po → .mo for argparse); a dev tool, outputs committed.

Qt ships no Vietnamese translation of its own texts (buttons, file and print dialogs, context menus),
so the project keeps one: edit the .ts, run `python tools/build_translations.py`, commit both. A test
(tests/ui/test_translations.py) rebuilds each file and fails when a committed .qm is out of date.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIR = ROOT / "resources" / "translations"


def lrelease() -> Path:
    """The lrelease that PySide6-Essentials ships (no separate Qt install needed)."""
    import PySide6

    name = "lrelease.exe" if sys.platform == "win32" else "lrelease"
    return Path(PySide6.__file__).resolve().parent / name


def compile_ts(ts: Path, qm: Path) -> None:
    result = subprocess.run(
        [str(lrelease()), "-silent", "-nounfinished", str(ts), "-qm", str(qm)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 or not qm.exists():
        raise RuntimeError(f"lrelease failed for {ts}: {result.stdout}{result.stderr}")


def compiled_bytes(ts: Path) -> bytes:
    """What lrelease makes of `ts` now (the test compares it with the committed .qm)."""
    with tempfile.TemporaryDirectory() as tmp:
        qm = Path(tmp) / ts.with_suffix(".qm").name
        compile_ts(ts, qm)
        return qm.read_bytes()


def compiled_mo(po: Path) -> bytes:
    """The gettext catalog Babel makes of `po` (the command line's argparse texts in Vietnamese)."""
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as source:
        catalog = read_po(source, locale="vi")
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def main() -> int:
    sources = sorted(SOURCE_DIR.glob("*.ts"))
    for ts in sources:
        qm = ts.with_suffix(".qm")
        compile_ts(ts, qm)
        print(f"{qm.relative_to(ROOT)}: {qm.stat().st_size} bytes")
    catalogs = sorted(SOURCE_DIR.glob("*.po"))
    for po in catalogs:
        mo = po.with_suffix(".mo")
        mo.write_bytes(compiled_mo(po))
        print(f"{mo.relative_to(ROOT)}: {mo.stat().st_size} bytes")
    return 0 if sources and catalogs else 1


if __name__ == "__main__":
    sys.exit(main())
