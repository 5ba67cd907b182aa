"""Qt's own texts in Vietnamese: the committed translation is current, loads, and reaches the dialogs."""

from __future__ import annotations

import importlib.util
import re
import sys
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QTimer, QTranslator
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QTabWidget,
    QTreeView,
    QWidget,
    QWizard,
    QWizardPage,
)
from pytestqt.qtbot import QtBot

from danvan_desktop import paths
from danvan_desktop.app import run_gui
from danvan_desktop.ui.translations import QT_TRANSLATION, install_qt_translation

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "resources" / "translations" / "qtbase_vi.ts"

# English words Qt would show if a text were left untranslated (whole words, case-sensitive).
ENGLISH = {
    "Cancel", "Close", "Save", "Discard", "Open", "Yes", "No", "Apply", "Reset", "Help", "Abort",
    "Retry", "Ignore", "Look", "File", "Files", "name", "type", "Detail", "View", "List", "Back",
    "Forward", "Parent", "Folder", "Directory", "Name", "Size", "Type", "Date", "Modified", "Print",
    "Printer", "Options", "Properties", "Copies", "Pages", "Page", "Collate", "Reverse", "Color",
    "Grayscale", "Double", "Sided", "Output", "Settings", "Location", "Preview", "Selection",
    "Current", "range", "all", "from", "to", "Undo", "Redo", "Cut", "Copy", "Paste", "Delete",
    "Select", "All", "Next", "Finish", "Commit", "Details", "Show", "Hide", "Even", "Odd",
}  # fmt: skip


def _build_module():  # type: ignore[no-untyped-def]
    tool = ROOT / "tools" / "build_translations.py"
    spec = importlib.util.spec_from_file_location("build_translations", tool)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def vietnamese(qapp: QApplication) -> Iterator[None]:
    translator = install_qt_translation(qapp)
    assert translator is not None
    yield
    qapp.removeTranslator(translator)


def _texts(widget: QWidget) -> list[str]:
    """Every text a user can read in the widget and its children (buttons, labels, tabs, headers, menus)."""
    texts = [widget.windowTitle()]
    for child in [widget, *widget.findChildren(QWidget)]:
        if not child.isVisibleTo(widget) and child is not widget:
            continue
        if isinstance(child, QAbstractButton | QLabel):
            texts.append(child.text())
        if isinstance(child, QGroupBox):
            texts.append(child.title())
        if isinstance(child, QComboBox):
            texts += [child.itemText(i) for i in range(child.count())]
        if isinstance(child, QTabWidget):
            texts += [child.tabText(i) for i in range(child.count())]
        if isinstance(child, QTreeView) and child.model() is not None:
            model, orientation = child.model(), child.header().orientation()
            texts += [str(model.headerData(c, orientation)) for c in range(model.columnCount())]
        texts += [action.text() for action in child.actions()]
    return [t for t in texts if t]


def _english_leftovers(texts: list[str]) -> list[str]:
    return [t for t in texts if ENGLISH & set(re.findall(r"[A-Za-z]+", t.replace("&", "")))]


def test_committed_qm_is_built_from_the_ts() -> None:
    qm = paths.translations_dir() / QT_TRANSLATION
    assert qm.read_bytes() == _build_module().compiled_bytes(TS), "run: python tools/build_translations.py"


def test_translations_are_nfc_and_keep_placeholders_and_typable_accelerators() -> None:
    messages = ET.parse(TS).getroot().iter("message")
    for message in messages:
        source, translation = message.findtext("source") or "", message.findtext("translation") or ""
        assert translation.strip(), source
        assert unicodedata.normalize("NFC", translation) == translation, translation
        assert sorted(re.findall(r"%\d", source)) == sorted(re.findall(r"%\d", translation)), source
        if "&" in source.replace("&&", ""):  # an accelerator in English keeps one in Vietnamese
            assert "&" in translation.replace("&&", ""), source
        for key in re.findall(r"&(.)", translation.replace("&&", "")):
            assert key.isascii() and key.isalnum(), f"Alt+{key} cannot be typed: {translation}"


def test_translator_is_installed_and_translates_qt_contexts(vietnamese: None) -> None:
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Hủy"
    assert QCoreApplication.translate("QFileDialog", "File &name:") == "&Tên tệp:"
    assert QCoreApplication.translate("QFileSystemModel", "Type", "All other platforms") == "Kiểu"


def test_button_box_and_message_box_are_vietnamese(qtbot: QtBot, vietnamese: None) -> None:
    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok
        | QDialogButtonBox.StandardButton.Cancel
        | QDialogButtonBox.StandardButton.Save
        | QDialogButtonBox.StandardButton.Discard
        | QDialogButtonBox.StandardButton.Close
        | QDialogButtonBox.StandardButton.Apply
        | QDialogButtonBox.StandardButton.Reset
        | QDialogButtonBox.StandardButton.Help
    )
    qtbot.addWidget(box)
    assert sorted(b.text() for b in box.buttons()) == sorted(
        ["OK", "Hủy", "Lưu", "Không lưu", "Đóng", "Áp dụng", "Đặt lại", "Trợ giúp"]
    )
    message = QMessageBox(
        QMessageBox.Icon.Question,
        "Chưa lưu thay đổi",
        "Lưu lại trước khi chuyển?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No | QMessageBox.StandardButton.Cancel,
    )
    message.setDetailedText("chi tiết")
    qtbot.addWidget(message)
    message.show()
    texts = _texts(message)
    assert {"&Có", "&Không", "Hủy", "Hiện chi tiết..."} <= set(texts), texts
    assert not _english_leftovers(texts)


def test_context_menus_of_text_fields_are_vietnamese(qtbot: QtBot, vietnamese: None) -> None:
    for field in (QLineEdit("Xã Phúc Chu"), QPlainTextEdit("Ghi chú")):
        qtbot.addWidget(field)
        menu = field.createStandardContextMenu()
        texts = [a.text().split("\t")[0] for a in menu.actions() if not a.isSeparator()]
        assert {"&Hoàn tác", "&Cắt", "&Sao chép", "&Dán", "&Xóa", "Chọn &tất cả"} <= set(texts), texts
        assert not _english_leftovers(texts)


def test_wizard_buttons_are_vietnamese(qtbot: QtBot, vietnamese: None) -> None:
    wizard = QWizard()
    qtbot.addWidget(wizard)
    for _ in range(2):
        wizard.addPage(QWizardPage())
    wizard.show()
    buttons = (QWizard.WizardButton.NextButton, QWizard.WizardButton.CancelButton)
    texts = [wizard.button(b).text() for b in buttons]
    assert texts == ["&Tiếp >", "Hủy"]


def test_file_dialog_is_vietnamese(qtbot: QtBot, vietnamese: None, tmp_path: Path) -> None:
    (tmp_path / "thư mục con").mkdir()
    (tmp_path / "bao-cao.pdf").write_bytes(b"%PDF")
    for mode in (QFileDialog.AcceptMode.AcceptOpen, QFileDialog.AcceptMode.AcceptSave):
        dialog = QFileDialog(None, "Chọn tệp", str(tmp_path), "Tệp PDF (*.pdf)")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        dialog.setAcceptMode(mode)
        dialog.setViewMode(QFileDialog.ViewMode.Detail)
        qtbot.addWidget(dialog)
        dialog.show()
        texts = _texts(dialog)
        assert {"Tìm t&rong:", "&Tên tệp:", "&Kiểu tệp:", "Hủy"} <= set(texts), texts
        assert {"&Mở" if mode == QFileDialog.AcceptMode.AcceptOpen else "&Lưu"} <= set(texts), texts
        assert {"Tên", "Kích cỡ", "Kiểu", "Ngày sửa"} <= set(texts), texts
        assert not _english_leftovers(texts), _english_leftovers(texts)


def test_print_dialog_is_vietnamese(qtbot: QtBot, vietnamese: None) -> None:
    printer = QPrinter()
    dialog = QPrintDialog(printer)
    qtbot.addWidget(dialog)
    dialog.show()
    options = next(b for b in dialog.findChildren(QAbstractButton) if b.text() == "Tùy &chọn >>")
    options.click()  # the page range, copies and colour options
    texts = _texts(dialog)
    expected = {"In", "&In", "Hủy", "Máy in", "Số bản:", "Tùy chọn", "In tất cả", "Th&uộc tính"}
    assert expected <= set(texts), texts
    assert not _english_leftovers(texts), _english_leftovers(texts)


def test_the_app_installs_it_before_the_first_run_dialog(
    qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # run_gui installs the app's own
    seen: list[tuple[str, str]] = []

    def answer() -> None:
        dialog = qapp.activeModalWidget()
        if dialog is None:  # still being built
            QTimer.singleShot(50, answer)
            return
        seen.append((type(dialog).__name__, QCoreApplication.translate("QPlatformTheme", "Cancel")))
        dialog.reject()

    QTimer.singleShot(50, answer)
    try:
        assert run_gui(tmp_path / "moi.sqlite3") == 0  # the clerk leaves the first-run dialog
    finally:
        for translator in qapp.findChildren(QTranslator):
            qapp.removeTranslator(translator)
    assert seen == [("FirstRunDialog", "Hủy")]
