"""The command line's own argparse messages are in Vietnamese, and the committed catalog is current."""

from __future__ import annotations

import gettext
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from danvan_desktop import paths
from danvan_desktop.cli import main
from danvan_desktop.cli.argparse_vi import ARGPARSE_CATALOG

PO = Path(__file__).resolve().parents[2] / "resources" / "translations" / "argparse_vi.po"


def test_committed_catalog_matches_its_source() -> None:
    with PO.open("rb") as source:
        messages = read_po(source, locale="vi")
    with (paths.translations_dir() / ARGPARSE_CATALOG).open("rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)
    translated = [m for m in messages if m.id and m.string]
    assert len(translated) >= 20
    for message in translated:
        if isinstance(message.id, tuple):  # plural: one Vietnamese form
            assert catalog.ngettext(message.id[0], message.id[1], 2) == message.string[0]
        else:
            assert catalog.gettext(message.id) == message.string, message.id


def test_missing_arguments_are_named_in_vietnamese(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["report", "--kind", "return"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "cách dùng: danvan report" in err
    assert "danvan report: lỗi: thiếu đối số bắt buộc: --unit, --period, --out" in err
    assert "the following arguments" not in err and "usage:" not in err


def test_unknown_command_and_choice_in_vietnamese(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["frobnicate"])
    assert info.value.code == 2
    assert "không có lựa chọn 'frobnicate'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["report", "--kind", "x"])
    err = capsys.readouterr().err
    assert "đối số --kind: không có lựa chọn 'x'" in err
    assert "invalid choice" not in err


def test_a_fresh_process_speaks_vietnamese_without_a_locale(tmp_path: Path) -> None:
    """Windows sets no LANG: the catalog is bound directly, not found through the environment."""
    env = {"PATH": "/usr/bin:/bin", paths.DATA_DIR_ENV: str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "danvan_desktop", "catalog", "check"],
        capture_output=True,
        env=env,
        check=False,
    )
    assert result.returncode == 2
    err = result.stderr.decode("utf-8")
    assert "danvan catalog check: lỗi: thiếu đối số bắt buộc: TỆP" in err
