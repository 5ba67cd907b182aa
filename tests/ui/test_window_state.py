"""The main window keeps its size, layout, unit, form and period between runs; small screens maximize."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSize
from pytestqt.qtbot import QtBot

from danvan_desktop import paths
from danvan_desktop.db.engine import Database
from danvan_desktop.services.office.office_view import load_office_snapshot
from danvan_desktop.ui.main_window import MainWindow
from danvan_desktop.ui.window_state import should_maximize

PHUC_CHU = "DH-PHUCCHU"


def _open(qtbot: QtBot, db: Database) -> MainWindow:
    window = MainWindow(None)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    with qtbot.waitSignal(window.ready):
        window.attach(db, load_office_snapshot(db, current_year=2026))
    return window


def test_reopened_window_has_the_same_geometry_splitter_unit_form_and_period(
    qtbot: QtBot, demo_db: Database
) -> None:
    window = _open(qtbot, demo_db)
    window.showNormal()
    window.setGeometry(0, 40, 700, 520)  # the offscreen screen is 800x600: Qt widens to the minimum
    window.form_area.splitter.setSizes([190, 300])
    window.period_box.setCurrentIndex(window.period_box.findData("2022-Q3"))
    window.select_unit(PHUC_CHU)
    form_ids = list(window.form_area.forms)
    window.form_area.select_form(form_ids[1])
    qtbot.wait(50)
    geometry, sizes = window.geometry(), window.form_area.splitter.sizes()
    assert (window.selected_unit_code(), window.form_area.current_form_id()) == (PHUC_CHU, form_ids[1])
    assert window.close()
    assert paths.user_paths().window_settings.exists()  # in the redirected data folder

    again = _open(qtbot, demo_db)
    qtbot.wait(50)
    assert not again.isMaximized()
    assert again.geometry() == geometry
    assert again.form_area.splitter.sizes() == sizes
    assert again.current_period() is not None and again.current_period().code == "2022-Q3"
    assert again.selected_unit_code() == PHUC_CHU
    assert again.form_area.current_form_id() == form_ids[1]
    assert again.form_area.page is not None  # the form is open, not only selected


def test_a_maximized_window_reopens_maximized(qtbot: QtBot, demo_db: Database) -> None:
    window = _open(qtbot, demo_db)
    window.showMaximized()
    qtbot.wait(50)
    assert window.close()
    again = _open(qtbot, demo_db)
    assert again.isMaximized()


def test_first_run_maximizes_on_small_screens_only() -> None:
    assert should_maximize(QRect(0, 0, 1366, 728))
    assert should_maximize(QRect(0, 0, 1024, 728))
    assert should_maximize(QRect(0, 0, 1600, 700))  # wide, but 720 pixels high do not fit
    assert not should_maximize(QRect(0, 0, 1920, 1040))
    assert not should_maximize(QRect(0, 0, 1920, 1040), QSize(1100, 720))


PROBE = """
import sys
from PySide6.QtWidgets import QApplication
from danvan_desktop.ui.main_window import MainWindow
app = QApplication([])
window = MainWindow(None)
window.show()
app.processEvents()
frame = window.frameGeometry()
print(window.isMaximized(), frame.width(), frame.height(), window.width(), window.height())
"""


@pytest.mark.parametrize(
    ("screen", "expected"),
    [((1366, 768), "True 1366 768"), ((1920, 1080), "False 1100 720")],  # whole screen / default size
)
def test_first_run_on_a_real_screen_size(tmp_path: Path, screen: tuple[int, int], expected: str) -> None:
    config = tmp_path / "screens.json"
    width, height = screen
    config.write_text(json.dumps({"screens": [{"name": "Office", "width": width, "height": height}]}))
    env = dict(
        os.environ,
        QT_QPA_PLATFORM=f"offscreen:configfile={config}",
        **{paths.DATA_DIR_ENV: str(tmp_path / "data")},
    )
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    maximized, frame_width, frame_height, width, height = result.stdout.split("\n")[-2].split()
    shown = (frame_width, frame_height) if maximized == "True" else (width, height)
    assert " ".join((maximized, *shown)) == expected
