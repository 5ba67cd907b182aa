"""The Backups dialog on a shared server: it lists the server's dumps and restores the chosen one,
with the words and steps it uses for the copies of a file (tests/ui/test_backups_dialog.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from danvan_desktop.db.engine import open_database
from danvan_desktop.db.models import Record
from danvan_desktop.services.maintenance.backups import make_backup
from danvan_desktop.ui.backups_dialog import BackupsDialog
from tests.cli.test_server_maintenance import _add

pytestmark = pytest.mark.server_only

TIMEOUT = 60000  # ms: pg_dump and pg_restore on a 2-core machine running other tests


def _records(path: Path) -> int:
    db = open_database(path)
    try:
        with db.session() as session:
            return int(session.scalar(select(func.count()).select_from(Record)) or 0)
    finally:
        db.close()


def test_the_dialog_lists_dumps_backs_up_and_restores_the_chosen_one(
    qtbot: QtBot, commune_path: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "bk"
    _add(commune_path, 450)
    make_backup(commune_path, folder, "hang-ngay")
    (folder / "phucchu-20261201-080000-000000-thu-cong.sqlite3").write_bytes(b"")  # a file's: not shown
    _add(commune_path, 451)
    dialog = BackupsDialog(commune_path, folder)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 1
    cells = [dialog.table.item(0, column).text() for column in range(4)]
    assert cells[1:3] == ["Tự động hằng ngày", "1"], cells
    dialog.table.selectRow(0)
    daily = dialog.selected()
    assert daily is not None and daily.valid and dialog.restore_button.isEnabled()
    steps: list[str] = []
    dialog.steps.step.connect(steps.append)
    with qtbot.waitSignal(dialog.backed_up, timeout=TIMEOUT) as backed_up:
        dialog.backup_button.click()
    [target] = backed_up.args
    assert "record" in steps and "record_history" in steps, steps  # pg_dump's progress, said
    assert target.suffix == ".dump" and dialog.table.rowCount() == 2
    assert dialog.message.text() == f"Đã sao lưu vào {target.name}."
    assert [dialog.table.item(0, c).text() for c in (1, 2)] == ["Sao lưu thủ công", "2"]
    questions: list[str] = []
    dialog.confirm = lambda text: questions.append(text) or True  # type: ignore[method-assign]
    with qtbot.waitSignal(dialog.restored, timeout=TIMEOUT) as signal:
        assert dialog.restore_selected() is True
    assert signal.args == [commune_path] and "(1 bản ghi)" in questions[0]
    assert "Đã khôi phục bản sao lưu ngày" in dialog.message.text(), dialog.message.text()
    [safety] = folder.glob("*truoc-khoi-phuc*.dump")
    assert safety.name in dialog.message.text() and dialog.table.rowCount() == 3
    assert _records(commune_path) == 1
