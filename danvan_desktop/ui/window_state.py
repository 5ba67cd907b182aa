"""The main window's size and layout (per computer) and last unit and form (per database), kept between runs.

Size, position, dock and splitter layout belong to this computer's screen: they live in an INI file in
the user data folder (paths.UserPaths.window_settings). The unit and form chosen belong to the office's
data, next to the period the database already remembers (office_view.PERIOD_SETTING): another database
has other units and forms, so a choice kept per computer would point into the wrong office.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QRect, QSettings, QSize, Qt
from PySide6.QtGui import QGuiApplication

from danvan_desktop import paths
from danvan_desktop.ui.layout_helpers import resize_within_screen

if TYPE_CHECKING:
    from danvan_desktop.ui.main_window import MainWindow

log = logging.getLogger(__name__)

DEFAULT_SIZE = QSize(1100, 720)
SMALL_SCREEN_WIDTH = 1366  # the commune office's laptop: the register's tool bar needs the full width
GEOMETRY, STATE, SPLITTER = "window/geometry", "window/state", "window/formSplitter"
UNIT_SETTING, FORM_SETTING = "ui.unit", "ui.form"


def _settings() -> QSettings:
    return QSettings(str(paths.user_paths().window_settings), QSettings.Format.IniFormat)


def should_maximize(available: QRect, size: QSize = DEFAULT_SIZE) -> bool:
    """A first run opens maximized on a small screen, or where the default size would not fit."""
    too_big = size.width() > available.width() or size.height() > available.height()
    return available.width() <= SMALL_SCREEN_WIDTH or too_big


def restore_layout(window: MainWindow) -> None:
    """Before the window is shown: last run's geometry and layout, else the first-run size."""
    settings = _settings()
    geometry, state, splitter = (settings.value(key) for key in (GEOMETRY, STATE, SPLITTER))
    if isinstance(geometry, QByteArray) and window.restoreGeometry(geometry):
        if isinstance(state, QByteArray):
            window.restoreState(state)
        if isinstance(splitter, QByteArray):
            window.form_area.splitter.restoreState(splitter)
        return
    resize_within_screen(window, DEFAULT_SIZE.width(), DEFAULT_SIZE.height())
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is not None and should_maximize(screen.availableGeometry()):
        window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)


def save_layout(window: MainWindow) -> None:
    """When the window closes: its layout to the INI file, the unit and form to the database."""
    settings = _settings()
    settings.setValue(GEOMETRY, window.saveGeometry())
    settings.setValue(STATE, window.saveState())
    settings.setValue(SPLITTER, window.form_area.splitter.saveState())
    settings.sync()
    if window.db is None:
        return
    from danvan_desktop.services.office.settings import set_setting

    unit, form = window.selected_unit_code(), window.form_area.current_form_id()
    try:
        with window.db.transaction() as session:
            set_setting(session, UNIT_SETTING, unit or "")
            set_setting(session, FORM_SETTING, form or "")
    except Exception:  # a read-only or full disk must not keep the window from closing
        log.warning("could not remember the unit and form", exc_info=True)


def restore_choices(window: MainWindow) -> None:
    """Once the database is attached: select the unit and form that were open when the window closed."""
    from danvan_desktop.services.office.settings import get_setting

    if window.db is None:
        return
    with window.db.session() as session:
        unit, form = get_setting(session, UNIT_SETTING), get_setting(session, FORM_SETTING)
    if unit:
        window.select_unit(unit)
    if form and form in window.form_area.forms:
        window.form_area.select_form(form)
