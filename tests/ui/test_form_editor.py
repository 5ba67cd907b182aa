"""The form editor on real forms: live computed fields, relevance, messages, locking, keyboard."""

from __future__ import annotations

import shutil
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QGroupBox, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from danvan_desktop import paths
from danvan_desktop.formspec.loader import load_form_file
from danvan_desktop.formspec.model import ChoiceDef, FormDef
from danvan_desktop.ui.field_widgets import MultiChoiceWidget, NumberWidget
from danvan_desktop.ui.form_editor import FormEditor, default_values
from tests.ui.keyboard import type_text

UNITS = [("DH-PHUCCHU-01", "Xóm Bản Lác"), ("DH-PHUCCHU-05", "Xóm Làng Hoèn")]
ORGANIZATIONS = [("HLHPN", "Hội Liên hiệp Phụ nữ"), ("DTN", "Đoàn Thanh niên")]
RULE_MESSAGE = "Số hội viên không được lớn hơn số người thuộc đối tượng tập hợp."


def form(form_id: str) -> FormDef:
    return load_form_file(paths.forms_dir() / f"{form_id}.yaml")


def press(key: Qt.Key) -> None:
    """A key as the user presses it: an open popup list gets it first, as on screen."""
    target = QApplication.activePopupWidget() or QApplication.focusWidget()
    assert target is not None
    QTest.keyClick(target, key)


class Opener(Protocol):
    def __call__(self, form_id: str, **kwargs: Any) -> FormEditor: ...


@pytest.fixture
def open_editor(qtbot: QtBot) -> Iterator[Opener]:
    editors: list[FormEditor] = []  # qtbot holds widgets weakly

    def build(form_id: str, **kwargs: Any) -> FormEditor:
        kwargs.setdefault("units", UNITS)
        kwargs.setdefault("organizations", ORGANIZATIONS)
        editor = FormEditor(form(form_id), **kwargs)
        editors.append(editor)
        qtbot.addWidget(editor)
        editor.resize(900, 1000)
        editor.show()
        qtbot.waitExposed(editor)
        editor.activateWindow()
        qtbot.waitUntil(editor.isActiveWindow)
        return editor

    yield build
    editors.clear()


def focus(qtbot: QtBot, editor: FormEditor, field_id: str) -> QWidget:
    target = editor.field_widget(field_id).focus_widgets()[0]
    target.setFocus()
    qtbot.waitUntil(target.hasFocus)
    if isinstance(target, QLineEdit):
        target.selectAll()  # as Tab into a line edit does: typing replaces the text
    return target


def focused_field(editor: FormEditor) -> str | None:
    current = QApplication.focusWidget()
    for field in editor.form.fields():
        if current in editor.field_widget(field.id).focus_widgets():
            return field.id
    return None


def shown_text(editor: FormEditor, field_id: str) -> str:
    widget = editor.field_widget(field_id)
    assert isinstance(widget, NumberWidget)
    return widget.edit.text()


def test_sections_labels_and_help(open_editor: Opener) -> None:
    editor = open_editor("to_chuc_doan_the")
    groups = editor.findChildren(QGroupBox)
    assert [g.title() for g in groups] == ["Tổ chức", "Hội viên, đoàn viên", "Chất lượng hoạt động"]
    label = editor.findChild(QLabel, "label_hoi_vien")
    assert label is not None and label.text() == "Số hội viên, đoàn viên *"
    optional = editor.findChild(QLabel, "label_doi_tuong")
    assert optional is not None and optional.text() == "Số người thuộc đối tượng tập hợp"
    assert optional.toolTip().startswith("Ví dụ: số phụ nữ từ 18 tuổi")
    help_lines = [w.text() for w in editor.findChildren(QLabel) if w.text().startswith("Để trống nếu")]
    assert help_lines == ["Để trống nếu là tổ chức cấp xã (Ủy ban MTTQ xã, Hội cấp xã, Đoàn xã)."]
    rate = editor.field_widget("ty_le_tap_hop")
    assert isinstance(rate, NumberWidget) and rate.edit.isReadOnly()
    assert editor.scroll_area.widget() is not None  # long forms scroll inside the editor


def test_computed_coverage_updates_while_typing(qtbot: QtBot, open_editor: Opener) -> None:
    editor = open_editor("to_chuc_doan_the")
    assert shown_text(editor, "ty_le_tap_hop") == ""
    type_text(focus(qtbot, editor, "hoi_vien"), "5")
    type_text(focus(qtbot, editor, "doi_tuong"), "10")
    assert shown_text(editor, "ty_le_tap_hop") == "50%"
    assert editor.values()["ty_le_tap_hop"] == 50.0
    type_text(editor.field_widget("doi_tuong").focus_widgets()[0], "5")  # now 105
    assert shown_text(editor, "ty_le_tap_hop") == "4,8%"
    focus(qtbot, editor, "doi_tuong")
    press(Qt.Key.Key_Backspace)  # the whole text was selected
    assert shown_text(editor, "ty_le_tap_hop") == ""  # no denominator, no rate


def test_rule_message_shown_under_the_field(qtbot: QtBot, open_editor: Opener) -> None:
    editor = open_editor("to_chuc_doan_the")
    editor.set_values({"to_chuc": "HLHPN", "ten_chi_hoi": "Chi hội Phụ nữ xóm Bản Lác", "hoi_vien": 12})
    type_text(focus(qtbot, editor, "doi_tuong"), "10")
    issues = editor.validate()
    assert [(i.field_id, i.rule_id) for i in issues] == [("hoi_vien", "hoi_vien_khong_vuot_doi_tuong")]
    assert editor.field_messages("hoi_vien") == [RULE_MESSAGE]
    message = editor.findChild(QLabel, "message_hoi_vien")
    assert message is not None and message.isVisible() and RULE_MESSAGE in message.text()
    assert editor.field_widget("hoi_vien").invalid_message() == RULE_MESSAGE
    # The other field of the rule is framed red without repeating the sentence.
    assert editor.field_messages("doi_tuong") == []
    assert editor.field_widget("doi_tuong").invalid_message() == RULE_MESSAGE

    type_text(focus(qtbot, editor, "doi_tuong"), "20")
    press(Qt.Key.Key_Tab)  # leaving the corrected field clears the rule's message everywhere
    assert editor.field_messages("hoi_vien") == []
    assert editor.field_widget("doi_tuong").invalid_message() is None
    assert editor.validate() == []


def test_required_fields_reported(open_editor: Opener) -> None:
    editor = open_editor("to_chuc_doan_the")
    issues = editor.validate()
    assert [i.field_id for i in issues] == ["to_chuc", "ten_chi_hoi", "hoi_vien"]
    assert editor.field_messages("hoi_vien") == ["«Số hội viên, đoàn viên» không được để trống."]
    assert editor.field_messages("to_chuc") == ["«Tổ chức» không được để trống."]
    assert editor.field_widget("ten_chi_hoi").invalid_message() == (
        "«Tên chi hội, chi đoàn» không được để trống."
    )


def test_field_checked_when_left_after_an_edit(qtbot: QtBot, open_editor: Opener) -> None:
    editor = open_editor("to_chuc_doan_the")
    focus(qtbot, editor, "ten_chi_hoi")
    press(Qt.Key.Key_Tab)  # only passing through: an empty required field is not judged yet
    assert editor.field_messages("ten_chi_hoi") == []

    type_text(focus(qtbot, editor, "hoi_vien_moi"), "ba mươi")
    press(Qt.Key.Key_Tab)
    assert editor.field_messages("hoi_vien_moi") == ["«Số kết nạp mới trong kỳ»: «ba mươi» không phải là số."]
    assert editor.field_messages("hoi_vien") == []  # other fields wait for validate()
    values = editor.values()  # never raises; the unreadable number reads as empty
    assert values["hoi_vien_moi"] is None
    assert [i.field_id for i in editor.parse_issues()] == ["hoi_vien_moi"]
    assert [i.field_id for i in editor.validate()] == ["to_chuc", "ten_chi_hoi", "hoi_vien", "hoi_vien_moi"]

    type_text(focus(qtbot, editor, "hoi_vien_moi"), "1.200")
    press(Qt.Key.Key_Tab)
    assert editor.field_messages("hoi_vien_moi") == []
    assert shown_text(editor, "hoi_vien_moi") == "1.200"


def test_relevance_follows_the_status(qtbot: QtBot, open_editor: Opener) -> None:
    editor = open_editor("mo_hinh_dan_van_kheo")
    assert editor.values()["trang_thai"] == "dang_ky"  # the form's default for a new record
    assert not editor.is_field_shown("cap_cong_nhan")
    assert not editor.is_field_shown("ngay_quyet_dinh")
    assert editor.is_field_shown("tieu_bieu")

    status = focus(qtbot, editor, "trang_thai")
    assert isinstance(status, QComboBox)
    status.clearEditText()
    type_text(status, "được công nhận")
    assert editor.is_field_shown("cap_cong_nhan")  # already while typing
    press(Qt.Key.Key_Tab)
    assert status.currentText() == "Được công nhận"
    assert editor.is_field_shown("so_quyet_dinh") and editor.is_field_shown("ngay_quyet_dinh")
    assert not editor.is_field_shown("ly_do_rut")
    editor.validate()
    assert editor.field_messages("cap_cong_nhan") == ["Mô hình đã được công nhận phải ghi cấp công nhận."]

    type_text(focus(qtbot, editor, "cap_cong_nhan"), "huyen")
    assert editor.values()["cap_cong_nhan"] == "huyen"
    status = focus(qtbot, editor, "trang_thai")
    assert isinstance(status, QComboBox)
    status.clearEditText()
    type_text(status, "rút")
    press(Qt.Key.Key_Tab)
    assert not editor.is_field_shown("cap_cong_nhan")
    assert editor.field_messages("cap_cong_nhan") == []  # a hidden field shows no message
    assert editor.is_field_shown("ly_do_rut")
    assert "cap_cong_nhan" not in editor.values()  # hidden answers are not stored


def test_read_only_mode(qtbot: QtBot, open_editor: Opener) -> None:
    editor = open_editor("to_chuc_doan_the")
    editor.set_values({"hoi_vien": 12, "doi_tuong": 20})
    editor.set_read_only(True, "Kỳ báo cáo «Năm 2023» đã khóa: chỉ xem.")
    assert editor.is_read_only()
    assert editor.read_only_note.isVisible()
    assert editor.read_only_note.text() == "Kỳ báo cáo «Năm 2023» đã khóa: chỉ xem."
    members = editor.field_widget("hoi_vien").focus_widgets()[0]
    assert isinstance(members, QLineEdit) and members.isReadOnly()
    assert not editor.field_widget("to_chuc").focus_widgets()[0].isEnabled()
    type_text(focus(qtbot, editor, "hoi_vien"), "99")
    assert editor.values()["hoi_vien"] == 12
    assert not editor.dirty

    editor.set_read_only(False)
    assert not editor.read_only_note.isVisible()
    assert not members.isReadOnly()
    rate = editor.field_widget("ty_le_tap_hop").focus_widgets()[0]
    assert isinstance(rate, QLineEdit) and rate.isReadOnly()  # computed stays read-only


def test_dirty_flag(qtbot: QtBot, open_editor: Opener) -> None:
    editor = open_editor("to_chuc_doan_the")
    assert not editor.dirty
    with qtbot.assertNotEmitted(editor.dirty_changed):
        editor.set_values({"hoi_vien": 12})
    assert not editor.dirty
    with qtbot.waitSignal(editor.dirty_changed) as blocker:
        type_text(focus(qtbot, editor, "ten_chi_hoi"), "Chi đoàn xóm Làng Hoèn")
    assert blocker.args == [True]
    assert editor.dirty
    with qtbot.waitSignal(editor.dirty_changed) as blocker:
        editor.set_values({"hoi_vien": 12})
    assert blocker.args == [False]
    type_text(focus(qtbot, editor, "hoi_vien"), "15")
    assert editor.dirty
    editor.mark_clean()
    assert not editor.dirty


def test_enter_moves_to_the_next_field_and_tab_order(qtbot: QtBot, open_editor: Opener) -> None:
    editor = open_editor("to_chuc_doan_the")
    type_text(focus(qtbot, editor, "hoi_vien"), "5")
    press(Qt.Key.Key_Return)
    assert focused_field(editor) == "doi_tuong"
    type_text(QApplication.focusWidget(), "10")
    press(Qt.Key.Key_Enter)
    assert focused_field(editor) == "hoi_vien_moi"  # the computed rate is skipped
    assert editor.values()["hoi_vien"] == 5 and editor.values()["doi_tuong"] == 10

    focus(qtbot, editor, "to_chuc")
    visited = [focused_field(editor)]
    for _ in range(7):
        press(Qt.Key.Key_Tab)
        visited.append(focused_field(editor))
    assert visited == [
        "to_chuc",
        "xom",
        "ten_chi_hoi",
        "hoi_vien",
        "doi_tuong",
        "hoi_vien_moi",
        "xep_loai",
        "ghi_chu",
    ]

    notes = focus(qtbot, editor, "ghi_chu")
    type_text(notes, "Dòng một")
    press(Qt.Key.Key_Return)  # a new line in a multi-line note, not the next field
    type_text(notes, "Dòng hai")
    assert focused_field(editor) == "ghi_chu"
    assert editor.values()["ghi_chu"] == "Dòng một\nDòng hai"


def test_values_are_nfc_and_defaults_apply(open_editor: Opener) -> None:
    editor = open_editor("to_chuc_doan_the")
    decomposed = unicodedata.normalize("NFD", "Chi hội Cựu chiến binh xóm Làng Hoèn")
    editor.set_values({"ten_chi_hoi": decomposed, "xom": "DH-PHUCCHU-05", "xep_loai": "hoan_thanh"})
    values = editor.values()
    assert values["ten_chi_hoi"] == unicodedata.normalize("NFC", decomposed)
    assert values["xom"] == "DH-PHUCCHU-05" and values["xep_loai"] == "hoan_thanh"
    assert default_values(form("mo_hinh_dan_van_kheo")) == {"trang_thai": "dang_ky", "tieu_bieu": False}


def test_catalog_choices_and_computed_count(qtbot: QtBot, open_editor: Opener) -> None:
    criteria = [ChoiceDef(value=str(n), label=f"Tiêu chí {n}") for n in range(1, 20)]
    editor = open_editor("tien_do_ntm", choices={"tieu_chi_dat": criteria})
    ticks = editor.field_widget("tieu_chi_dat")
    assert isinstance(ticks, MultiChoiceWidget)
    assert ticks.list.count() == 19
    focus(qtbot, editor, "tieu_chi_dat")
    for row in (0, 4, 16):
        ticks.list.setCurrentRow(row)
        press(Qt.Key.Key_Space)
    assert editor.values()["tieu_chi_dat"] == ["1", "5", "17"]
    assert shown_text(editor, "so_tieu_chi_dat") == "3"
    editor.set_values({"tieu_chi_dat": ["1", "99"], "muc_dat": "chua_dat"})
    issues = editor.validate()
    assert [i.message for i in issues if i.field_id == "tieu_chi_dat"] == [
        "«Các tiêu chí đã đạt»: «99» không có trong danh sách lựa chọn."
    ]


def test_screenshot(qtbot: QtBot, open_editor: Opener, tmp_path: Path) -> None:
    editor = open_editor("to_chuc_doan_the")
    editor.set_values(
        {
            "to_chuc": "HLHPN",
            "xom": "DH-PHUCCHU-05",
            "ten_chi_hoi": "Chi hội Phụ nữ xóm Làng Hoèn",
            "hoi_vien": 48,
            "doi_tuong": 40,
            "hoi_vien_moi": 6,
            "xep_loai": "hoan_thanh_tot",
            "ghi_chu": "Ra quân làm đường bê tông xóm Làng Hoèn; vận động 12 hộ hiến đất.",
        }
    )
    editor.validate()
    content = editor.scroll_area.widget()
    assert content is not None
    editor.resize(900, content.sizeHint().height() + 4)  # the whole form, no scroll bar
    qtbot.wait(20)
    shot = tmp_path / "form_editor.png"
    assert editor.grab().save(str(shot))
    assert shot.stat().st_size > 10_000
    shutil.copyfile(shot, "/tmp/form_editor.png")  # for a person to look at


ALL_TYPES = {
    "id": "moi_kieu_truong",
    "version": 1,
    "title": "Mọi kiểu trường nhập liệu",
    "kind": "register",
    "sections": [
        {
            "title": "Số liệu",
            "help": "Số nhập theo kiểu Việt Nam: 1.234.567 và 2.941,86.",
            "fields": [
                {"id": "so_ho", "type": "integer", "label": "Số hộ", "unit": "hộ", "required": True},
                {"id": "tien", "type": "money", "label": "Tiền vận động", "unit": "đồng"},
                {"id": "dat", "type": "area", "label": "Đất hiến", "unit": "m²", "decimals": 2},
                {"id": "cong", "type": "labour_days", "label": "Ngày công", "unit": "ngày công"},
                {"id": "he_so", "type": "decimal", "label": "Hệ số"},
                {"id": "ty_le", "type": "percent", "label": "Tỷ lệ", "decimals": 1},
                {"id": "xa_dat", "type": "ratio", "label": "Xã đạt chuẩn", "unit": "xã"},
            ],
        },
        {
            "title": "Thông tin",
            "fields": [
                {"id": "ten", "type": "text", "label": "Tên công trình", "max_length": 200},
                {"id": "ngay", "type": "date", "label": "Ngày khởi công"},
                {"id": "xom", "type": "org_unit", "label": "Xóm", "unit_level": "village"},
                {"id": "to_chuc", "type": "organization", "label": "Tổ chức"},
                {
                    "id": "loai",
                    "type": "choice",
                    "label": "Loại công trình",
                    "choices": [
                        {"value": "duong", "label": "Đường giao thông"},
                        {"value": "nvh", "label": "Nhà văn hóa"},
                    ],
                },
                {
                    "id": "hinh_thuc",
                    "type": "multi_choice",
                    "label": "Hình thức đóng góp",
                    "choices": [
                        {"value": "tien", "label": "Tiền mặt"},
                        {"value": "dat", "label": "Hiến đất"},
                        {"value": "cong", "label": "Ngày công"},
                    ],
                },
                {"id": "tieu_bieu", "type": "yes_no", "label": "Tiêu biểu"},
                {"id": "ghi_chu", "type": "long_text", "label": "Ghi chú"},
            ],
        },
    ],
}


def test_screenshot_of_every_field_type(qtbot: QtBot, tmp_path: Path) -> None:
    editor = FormEditor(FormDef.model_validate(ALL_TYPES), units=UNITS, organizations=ORGANIZATIONS)
    qtbot.addWidget(editor)
    editor.set_values(
        {
            "tien": 1950000000,
            "dat": 2941.86,
            "cong": 1250,
            "he_so": 1.25,
            "ty_le": 72.7,
            "xa_dat": {"num": 16, "den": 22},
            "ten": "Đường bê tông xóm Làng Hoèn",
            "ngay": "2023-02-05",
            "xom": "DH-PHUCCHU-05",
            "to_chuc": "HLHPN",
            "loai": "duong",
            "hinh_thuc": ["dat", "cong"],
            "tieu_bieu": True,
        }
    )
    editor.show()
    qtbot.waitExposed(editor)
    date = editor.field_widget("ngay").focus_widgets()[0]
    assert isinstance(date, QLineEdit)
    date.setText("31/02/2023")
    issues = editor.validate()
    assert [i.field_id for i in issues] == ["so_ho", "ngay"]
    content = editor.scroll_area.widget()
    assert content is not None
    editor.resize(900, content.sizeHint().height() + 4)
    qtbot.wait(20)
    shot = tmp_path / "form_editor_all_types.png"
    assert editor.grab().save(str(shot))
    shutil.copyfile(shot, "/tmp/form_editor_all_types.png")
