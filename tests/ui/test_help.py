"""The manual: every page renders with working links, every screen names a page, F1 opens it."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterator
from fnmatch import fnmatch
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QTextCursor, QTextDocument
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

import danvan_desktop.ui
from danvan_desktop import paths
from danvan_desktop.db.engine import Database
from danvan_desktop.ui.help_pages import INDEX, Manual, links, page_id
from danvan_desktop.ui.help_window import (
    HELP_OBJECTS,
    HELP_PAGES,
    HelpKey,
    HelpWindow,
    help_page_for,
    install_help_key,
)
from danvan_desktop.ui.main_window import MainWindow
from tests.ui.keyboard import type_text
from tests.ui.test_main_window import open_window

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def manual() -> Manual:
    return Manual(paths.manual_dir())


@pytest.fixture
def help_key(qapp: QApplication) -> Iterator[HelpKey]:
    controller = install_help_key(qapp)
    yield controller
    if controller.window is not None:  # the controller lives as long as the application
        controller.window.close()
        controller.window.deleteLater()
        controller.window = None


def hrefs(document: QTextDocument) -> list[str]:
    """Every link target in a rendered document, as Qt's Markdown reader made it."""
    found = []
    block = document.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            if fragment.isValid() and fragment.charFormat().isAnchor():
                found.append(fragment.charFormat().anchorHref())
            it += 1
        block = block.next()
    return found


def test_pages_are_nfc_vietnamese_without_lost_letters(manual: Manual) -> None:
    files = sorted(paths.manual_dir().glob("*.md"))
    assert len(files) >= 15
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert unicodedata.is_normalized("NFC", text), path.name
        assert "\ufffd" not in text, path.name
        # A letter lost to a wrong encoding shows as "?" inside a word ("Ch?n"); questions end words.
        assert not re.search(r"\w\?\w", text), (path.name, re.findall(r"\S*\w\?\w\S*", text))
        assert text.startswith("# "), path.name  # the title the contents list shows


def test_every_page_renders_and_every_link_reaches_a_page(qapp: QApplication, manual: Manual) -> None:
    for page in manual.pages.values():
        document = QTextDocument()
        document.setMarkdown(page.text)
        plain = document.toPlainText()
        assert plain.startswith(page.title), page.id
        assert "](" not in plain and "**" not in plain, page.id  # Markdown left unrendered
        rendered = hrefs(document)
        assert set(links(page.text)) <= set(rendered), page.id
        for href in rendered:
            if href.startswith(("http://", "https://")):
                continue
            assert page_id(href) in manual.pages, f"{page.id}: broken link {href}"


def test_every_page_is_in_the_contents(manual: Manual) -> None:
    index_links = {page_id(t) for t in links(manual.pages[INDEX].text)}
    assert set(manual.pages) - {INDEX} <= index_links
    assert manual.contents()[0].id == INDEX


def test_every_screen_names_an_existing_page(manual: Manual) -> None:
    classes = set()
    for module in pkgutil.iter_modules(danvan_desktop.ui.__path__, "danvan_desktop.ui."):
        loaded = importlib.import_module(module.name)
        classes |= {name for name, obj in inspect.getmembers(loaded, inspect.isclass)}
    assert set(HELP_PAGES) <= classes  # a renamed screen would silently lose its page
    for page in [*HELP_PAGES.values(), *HELP_OBJECTS.values()]:
        assert page in manual.pages, page


def test_manual_ships_in_the_wheel_and_the_bundle() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    data_files = config["tool"]["setuptools"]["data-files"]
    patterns = data_files["share/danvan-desktop/resources/manual"]
    for path in paths.manual_dir().iterdir():
        assert any(fnmatch(str(path.relative_to(ROOT)), p) for p in patterns), path.name
    spec = (ROOT / "build_installer.spec").read_text(encoding="utf-8")
    assert '(str(ROOT / "resources"), "resources")' in spec  # the whole folder, manual included


def test_search_without_accents_finds_and_marks(qtbot: QtBot, manual: Manual) -> None:
    window = HelpWindow(manual)
    qtbot.addWidget(window)
    window.show()
    type_text(window.search, "dau van tay")
    shown = [
        window.contents.item(r).data(Qt.ItemDataRole.UserRole)
        for r in range(window.contents.count())
        if not window.contents.item(r).isHidden()
    ]
    assert "nhap-goi" in shown and "xuat-goi" in shown and "sao-luu" not in shown
    assert window.current_page() == shown[0]  # the index has no such words: the first hit opens
    marks = window.browser.extraSelections()
    assert marks and marks[0].cursor.selectedText().lower() == "dấu vân tay"
    window.search.clear()
    assert all(not window.contents.item(r).isHidden() for r in range(window.contents.count()))


def test_links_and_contents_move_between_pages(qtbot: QtBot, manual: Manual) -> None:
    window = HelpWindow(manual)
    qtbot.addWidget(window)
    assert window.current_page() == INDEX
    window.show()
    qtbot.waitExposed(window)
    click_link(window, "nhap-goi.md")
    assert window.current_page() == "nhap-goi"
    assert window.contents.currentItem().data(Qt.ItemDataRole.UserRole) == "nhap-goi"
    assert "đối chiếu dấu vân tay" in window.browser.toPlainText()
    window.browser.backward()
    assert window.current_page() == INDEX
    window.contents.setCurrentRow([p.id for p in manual.contents()].index("sao-luu"))
    assert window.current_page() == "sao-luu"
    window.show_page("no-such-page")
    assert window.current_page() == INDEX


def click_link(window: HelpWindow, href: str) -> None:
    """Click the link as a person would: on its text in the page."""
    document = window.browser.document()
    block = document.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            if fragment.charFormat().anchorHref() == href:
                cursor = QTextCursor(document)
                cursor.setPosition(fragment.position() + 1)
                window.browser.ensureCursorVisible()
                window.browser.setTextCursor(cursor)
                window.browser.ensureCursorVisible()
                point = window.browser.cursorRect(cursor).center()
                QTest.mouseClick(window.browser.viewport(), Qt.MouseButton.LeftButton, pos=point)
                return
            it += 1
        block = block.next()
    raise AssertionError(f"no link to {href}")


def press_f1(widget: QWidget) -> None:
    QTest.keyClick(widget, Qt.Key.Key_F1)


def test_f1_in_the_main_window_opens_the_page_of_what_is_shown(
    qtbot: QtBot, demo_db: Database, help_key: HelpKey, tmp_path: Path
) -> None:
    window = open_window(qtbot, demo_db)
    press_f1(window.tree)
    assert help_key.window is not None and help_key.window.isVisible()
    assert help_key.window.current_page() == "man-hinh-chinh"

    window.form_area.select_form("nha_van_hoa")
    page = window.form_area.page
    assert page is not None and help_page_for(page) == "so-theo-doi"
    press_f1(page.search)
    assert help_key.window.current_page() == "so-theo-doi"

    window.form_area.select_form("ho_so_xa")
    assert window.form_area.page is not None
    press_f1(window.form_area.page)
    assert help_key.window.current_page() == "bieu-tong-hop"

    help_key.window.resize(1366, 768)  # the commune office's screen
    shot = tmp_path / "help_window.png"
    assert help_key.window.grab().save(str(shot))
    assert shot.stat().st_size > 20_000


def test_f1_in_the_import_wizard_opens_beside_the_modal_wizard(
    qtbot: QtBot, demo_db: Database, help_key: HelpKey
) -> None:
    window = open_window(qtbot, demo_db)
    window.import_packages()
    wizard = window.package_dialog
    assert wizard is not None
    qtbot.waitExposed(wizard)
    press_f1(wizard.files_page.file_list)  # type: ignore[attr-defined]
    help_window = wizard.findChild(HelpWindow)
    assert help_window is not None and help_window.isVisible()
    assert help_window.current_page() == "nhap-goi"
    assert help_key.window is None  # not the shared window: the modal wizard would block it
    wizard.reject()


@pytest.mark.parametrize(
    ("open_dialog", "page"),
    [
        (MainWindow.export_package, "xuat-goi"),
        (MainWindow.show_conflicts, "xung-dot"),
        (MainWindow.show_completeness, "tinh-hinh-nhan"),
        (MainWindow.show_ledger, "so-theo-doi-goi"),
    ],
)
def test_f1_in_a_package_dialog(
    qtbot: QtBot, demo_db: Database, help_key: HelpKey, open_dialog: Callable[[MainWindow], None], page: str
) -> None:
    window = open_window(qtbot, demo_db)
    open_dialog(window)
    dialog = window.package_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    press_f1(dialog.focusWidget() or dialog)
    help_window = dialog.findChild(HelpWindow)
    assert help_window is not None and help_window.current_page() == page
    dialog.close()


def test_f1_in_the_first_run_dialog(qtbot: QtBot, tmp_path: Path, help_key: HelpKey) -> None:
    from danvan_desktop.ui.first_run import FirstRunDialog

    dialog = FirstRunDialog(tmp_path / "new.sqlite3", paths.catalog_dir(), None)
    qtbot.addWidget(dialog)
    dialog.show()
    press_f1(dialog.search)
    assert help_key.window is not None and help_key.window.current_page() == "lan-dau"


def test_help_menu_opens_the_contents(qtbot: QtBot, demo_db: Database, help_key: HelpKey) -> None:
    window = open_window(qtbot, demo_db)
    action = window.findChild(QAction, "openManual")
    assert action is not None
    action.trigger()
    assert help_key.window is not None and help_key.window.current_page() == INDEX
