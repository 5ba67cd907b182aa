"""Every field type's widget: Vietnamese typed key by key, read back in its stored form."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Any, Protocol, get_args

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from danvan_desktop.formspec.model import ChoiceDef, FieldDef, FieldType
from danvan_desktop.formspec.values import ValueParseError
from danvan_desktop.ui.field_widgets import (
    WIDGETS,
    CodeListWidget,
    DateWidget,
    FieldWidget,
    LongTextWidget,
    MultiChoiceWidget,
    NumberWidget,
    RatioWidget,
    SearchComboWidget,
    TextWidget,
    YesNoWidget,
    create_widget,
)
from tests.ui.keyboard import type_text

UNITS = [
    ("DH-PHUCCHU-01", "Xóm Bản Lác"),
    ("DH-PHUCCHU-05", "Xóm Làng Hoèn"),
    ("DH-PHUCCHU-07", "Xóm Nà Mòn"),
    ("DH-PHUCCHU-09", "Xóm Đồng Hoàng"),
]
ORGANIZATIONS = [("HLHPN", "Hội Liên hiệp Phụ nữ"), ("DTN", "Đoàn Thanh niên"), ("HND", "Hội Nông dân")]
RATING = [
    ChoiceDef(value="hoan_thanh_xuat_sac", label="Hoàn thành xuất sắc nhiệm vụ"),
    ChoiceDef(value="hoan_thanh_tot", label="Hoàn thành tốt nhiệm vụ"),
    ChoiceDef(value="hoan_thanh", label="Hoàn thành nhiệm vụ"),
    ChoiceDef(value="khong_hoan_thanh", label="Không hoàn thành nhiệm vụ"),
]
PUBLICITY = [
    ChoiceDef(value="niem_yet", label="Niêm yết tại trụ sở, nhà văn hóa xóm"),
    ChoiceDef(value="truyen_thanh", label="Hệ thống truyền thanh, loa phát thanh"),
    ChoiceDef(value="hoi_nghi", label="Hội nghị, cuộc họp"),
]


def press(key: Qt.Key) -> None:
    """A key as the user presses it: an open popup list gets it first, as on screen."""
    target = QApplication.activePopupWidget() or QApplication.focusWidget()
    assert target is not None
    QTest.keyClick(target, key)


class Host(QWidget):
    """A window with the widget under test and a line edit after it to move focus to."""

    def __init__(self, widget: FieldWidget) -> None:
        super().__init__()
        self.widget = widget
        self.after = QLineEdit()
        self.after.setObjectName("after")
        layout = QVBoxLayout(self)
        layout.addWidget(widget)
        layout.addWidget(self.after)


class Maker(Protocol):
    def __call__(self, field: FieldDef, **lists: Any) -> FieldWidget: ...


@pytest.fixture
def make(qtbot: QtBot) -> Iterator[Maker]:
    """Builds the widget for a field in a shown, active window with focus in the widget."""
    hosts: list[Host] = []  # qtbot holds widgets weakly; the windows must live to the test's end

    def build(field: FieldDef, **lists: Any) -> FieldWidget:
        widget = create_widget(field, **lists)
        host = Host(widget)
        hosts.append(host)
        qtbot.addWidget(host)
        host.show()
        qtbot.waitExposed(host)
        host.activateWindow()
        qtbot.waitUntil(host.isActiveWindow)
        widget.focus_widgets()[0].setFocus()
        qtbot.waitUntil(lambda: widget.focus_widgets()[0].hasFocus())
        return widget

    yield build
    hosts.clear()


def leave(qtbot: QtBot, widget: FieldWidget) -> None:
    """Tab out of the widget, as a user finishing the field does."""
    with qtbot.waitSignal(widget.editing_finished, timeout=1000):
        press(Qt.Key.Key_Tab)
    host = widget.parentWidget()
    assert isinstance(host, Host)
    assert host.after.hasFocus()


def field(kind: str, **extra: object) -> FieldDef:
    return FieldDef.model_validate({"id": "truong", "type": kind, "label": "Trường thử", **extra})


def test_registry_has_one_widget_class_per_field_type() -> None:
    assert set(WIDGETS) == set(get_args(FieldType))
    assert all(issubclass(cls, FieldWidget) for cls in WIDGETS.values())


@pytest.mark.parametrize("kind", get_args(FieldType))
def test_every_type_starts_empty_and_round_trips_none(qtbot: QtBot, make: Maker, kind: str) -> None:
    extra = {"choices": [{"value": "a", "label": "Một"}]} if kind in ("choice", "multi_choice") else {}
    widget = make(field(kind, **extra), units=UNITS, organizations=ORGANIZATIONS)
    assert widget.value() is None
    widget.set_value(None)
    assert widget.value() is None


def test_text_keeps_vietnamese_and_stores_nfc(qtbot: QtBot, make: Maker) -> None:
    widget = make(field("text", max_length=200))
    assert isinstance(widget, TextWidget)
    type_text(widget.edit, "Đường bê tông xóm Làng Hoèn")
    assert widget.value() == "Đường bê tông xóm Làng Hoèn"

    widget.set_value(None)
    decomposed = unicodedata.normalize("NFD", "Nhà văn hóa xóm Bản Lác")
    type_text(widget.edit, decomposed)
    assert widget.value() == "Nhà văn hóa xóm Bản Lác"
    assert unicodedata.is_normalized("NFC", str(widget.value()))
    leave(qtbot, widget)
    assert widget.edit.text() == "Nhà văn hóa xóm Bản Lác"  # the box itself now holds NFC

    widget.set_value(decomposed)
    assert widget.edit.text() == "Nhà văn hóa xóm Bản Lác"


def test_text_respects_max_length(qtbot: QtBot, make: Maker) -> None:
    widget = make(field("text", max_length=4))
    type_text(widget.focus_widgets()[0], "202345")
    assert widget.value() == "2023"


@pytest.mark.parametrize("typed", ["1.234.567", "1234567", "1.234.567 đồng"])
def test_money_reads_grouped_and_plain_digits(qtbot: QtBot, make: Maker, typed: str) -> None:
    widget = make(field("money", unit="đồng"))
    assert isinstance(widget, NumberWidget)
    type_text(widget.edit, typed)
    assert widget.value() == 1234567
    leave(qtbot, widget)
    assert widget.edit.text() == "1.234.567"
    assert widget.unit_label is not None and widget.unit_label.text() == "đồng"


def test_area_percent_and_integer(qtbot: QtBot, make: Maker) -> None:
    area = make(field("area", unit="m²", decimals=2))
    type_text(area.focus_widgets()[0], "2.941,86")
    assert area.value() == 2941.86

    percent = make(field("percent", decimals=1))
    type_text(percent.focus_widgets()[0], "72,7")
    assert percent.value() == 72.7
    leave(qtbot, percent)
    assert isinstance(percent, NumberWidget)
    assert percent.edit.text() == "72,7%"
    assert percent.unit_label is None  # the % is part of the shown number

    people = make(field("integer", unit="người"))
    type_text(people.focus_widgets()[0], "12,5")
    with pytest.raises(ValueParseError, match="số nguyên"):
        people.value()
    leave(qtbot, people)
    assert isinstance(people, NumberWidget)
    assert people.edit.text() == "12,5"  # a wrong number stays for the user to correct


def test_date_reads_day_month_year_and_rejects_impossible_days(qtbot: QtBot, make: Maker) -> None:
    widget = make(field("date"))
    assert isinstance(widget, DateWidget)
    assert widget.edit.placeholderText() == "dd/mm/yyyy"
    type_text(widget.edit, "5/2/2023")
    assert widget.value() == "2023-02-05"
    leave(qtbot, widget)
    assert widget.edit.text() == "05/02/2023"

    widget.set_value(None)
    type_text(widget.edit, "05/02/2023")
    assert widget.value() == "2023-02-05"

    widget.set_value("2023-03-31")
    assert widget.edit.text() == "31/03/2023"
    widget.edit.clear()
    type_text(widget.edit, "31/02/2023")
    with pytest.raises(ValueParseError) as error:
        widget.value()
    assert "«Trường thử»: ngày «31/02/2023» không tồn tại" in error.value.message
    assert "tháng 2 năm 2023 chỉ có 28 ngày" in error.value.message


def test_long_text_keeps_lines_and_tab_moves_on(qtbot: QtBot, make: Maker) -> None:
    widget = make(field("long_text"))
    assert isinstance(widget, LongTextWidget)
    type_text(widget.edit, "Vận động 45 hộ hiến đất")
    press(Qt.Key.Key_Return)
    type_text(widget.edit, "Làm 1,2 km đường bê tông")
    assert widget.value() == "Vận động 45 hộ hiến đất\nLàm 1,2 km đường bê tông"
    leave(qtbot, widget)  # Tab: focus moves on, no tab character typed
    assert "\t" not in widget.edit.toPlainText()


def test_choice_found_by_typing_without_accents(qtbot: QtBot, make: Maker) -> None:
    widget = make(field("choice", choices=[c.model_dump() for c in RATING]))
    assert isinstance(widget, SearchComboWidget)
    assert widget.combo.itemText(0) == ""  # "not chosen" is a choice of its own
    type_text(widget.combo, "tot")
    assert widget.value() == "hoan_thanh_tot"
    leave(qtbot, widget)
    assert widget.combo.currentText() == "Hoàn thành tốt nhiệm vụ"
    assert widget.combo.currentIndex() == 2


def test_choice_typed_in_vietnamese_and_picked_from_the_list(qtbot: QtBot, make: Maker) -> None:
    widget = make(field("choice", choices=[c.model_dump() for c in RATING]))
    assert isinstance(widget, SearchComboWidget)
    type_text(widget.combo, "Hoàn thành")
    assert widget.proxy.rowCount() == 4  # "Không hoàn thành" matches too
    with pytest.raises(ValueParseError, match="khớp với nhiều mục"):
        widget.value()
    popup = widget.combo.completer().popup()
    assert popup.isVisible()
    press(Qt.Key.Key_Down)  # the first Down highlights the best match, the second moves on
    press(Qt.Key.Key_Down)
    assert popup.currentIndex().data() == "Hoàn thành tốt nhiệm vụ"
    press(Qt.Key.Key_Return)
    assert widget.value() == "hoan_thanh_tot"

    widget.set_value(None)
    type_text(widget.combo, "xuất sắc")
    assert widget.value() == "hoan_thanh_xuat_sac"
    widget.set_value(None)
    type_text(widget.combo, "không có")
    with pytest.raises(ValueParseError, match="không có «không có» trong danh sách"):
        widget.value()


def test_choice_list_from_the_catalog_replaces_the_fields_own(qtbot: QtBot, make: Maker) -> None:
    criteria = [ChoiceDef(value="1", label="Quy hoạch"), ChoiceDef(value="2", label="Giao thông")]
    widget = make(field("choice", choices_from="ntm_criteria"), choices=criteria)
    type_text(widget.focus_widgets()[0], "giao thong")
    assert widget.value() == "2"


def test_multi_choice_ticked_with_the_keyboard(qtbot: QtBot, make: Maker) -> None:
    widget = make(field("multi_choice", choices=[c.model_dump() for c in PUBLICITY]))
    assert isinstance(widget, MultiChoiceWidget)
    changes: list[object] = []
    widget.changed.connect(lambda: changes.append(widget.value()))
    widget.list.setCurrentRow(2)
    press(Qt.Key.Key_Space)
    widget.list.setCurrentRow(0)
    press(Qt.Key.Key_Space)
    assert widget.value() == ["niem_yet", "hoi_nghi"]  # in the list's order
    assert changes[-1] == ["niem_yet", "hoi_nghi"]
    press(Qt.Key.Key_Space)
    assert widget.value() == ["hoi_nghi"]

    widget.set_value(["truyen_thanh", "cu"])
    assert widget.value() == ["truyen_thanh", "cu"]
    assert widget.list.item(3).text() == "cu (không có trong danh mục)"


def test_multi_choice_without_a_list_takes_typed_codes(qtbot: QtBot, make: Maker) -> None:
    widget = make(field("multi_choice", choices_from="ntm_criteria"))
    assert isinstance(widget, CodeListWidget)
    type_text(widget.focus_widgets()[0], "1; 5; 17")
    assert widget.value() == ["1", "5", "17"]
    widget.set_value(["2", "3"])
    assert widget.value() == ["2", "3"]


def test_yes_no_has_a_no_answer_state(qtbot: QtBot, make: Maker) -> None:
    widget = make(field("yes_no"))
    assert isinstance(widget, YesNoWidget)
    assert [widget.combo.itemText(i) for i in range(widget.combo.count())] == ["", "Có", "Không"]
    assert widget.value() is None
    type_text(widget.combo, "Không")
    assert widget.value() is False
    QTest.qWait(QApplication.keyboardInputInterval() + 50)  # a pause starts a new search
    type_text(widget.combo, "C")
    assert widget.value() is True
    widget.set_value(False)
    assert widget.combo.currentText() == "Không"
    widget.set_value(None)
    assert widget.value() is None


def test_org_unit_type_ahead_ignores_diacritics(qtbot: QtBot, make: Maker) -> None:
    widget = make(field("org_unit", unit_level="village"), units=UNITS)
    assert isinstance(widget, SearchComboWidget)
    type_text(widget.combo, "lang hoen")
    assert widget.proxy.rowCount() == 1
    assert widget.proxy.index(0, 0).data() == "Xóm Làng Hoèn"
    assert widget.value() == "DH-PHUCCHU-05"
    leave(qtbot, widget)
    assert widget.combo.currentText() == "Xóm Làng Hoèn"

    widget.set_value(None)
    type_text(widget.combo, "dong hoang")  # đ folds to d
    assert widget.value() == "DH-PHUCCHU-09"
    widget.set_value("DH-PHUCCHU-07")
    assert widget.combo.currentText() == "Xóm Nà Mòn"
    widget.set_value("DH-CU-01")  # a village of an old period, kept as stored
    assert widget.combo.currentText() == "DH-CU-01 (không có trong danh mục)"
    assert widget.value() == "DH-CU-01"


def test_org_unit_without_a_list_takes_the_code(qtbot: QtBot, make: Maker) -> None:
    widget = make(field("org_unit"))
    type_text(widget.focus_widgets()[0], "dh-phucchu-05")
    assert widget.value() == "DH-PHUCCHU-05"


def test_organization_found_by_name(qtbot: QtBot, make: Maker) -> None:
    widget = make(field("organization"), organizations=ORGANIZATIONS)
    type_text(widget.focus_widgets()[0], "phu nu")
    assert widget.value() == "HLHPN"
    type_text(widget.focus_widgets()[0], "x")
    with pytest.raises(ValueParseError, match="Trường thử"):
        widget.value()


# As the catalog has them: short names in the list, full names only in the catalog.
CATALOG_ORGANIZATIONS = [("HLHPN", "Hội LHPN"), ("DTN", "Đoàn TN"), ("HND", "Hội ND"), ("CD", "Công đoàn")]
FULL_NAMES = {
    "HLHPN": "Hội Liên hiệp Phụ nữ Việt Nam",
    "DTN": "Đoàn Thanh niên Cộng sản Hồ Chí Minh",
    "HND": "Hội Nông dân Việt Nam",
    "CD": "Công đoàn Việt Nam",
}


def _shown(widget: SearchComboWidget) -> list[str]:
    return [str(widget.proxy.index(r, 0).data()) for r in range(widget.proxy.rowCount())]


@pytest.mark.parametrize(
    ("typed", "found"),
    [("phu nu", "HLHPN"), ("Phụ nữ", "HLHPN"), ("hlhpn", "HLHPN"), ("lien hiep", "HLHPN"), ("tncs", "DTN")],
)
def test_organization_found_by_full_name_or_abbreviation(
    qtbot: QtBot, make: Maker, typed: str, found: str
) -> None:
    widget = make(field("organization"), organizations=CATALOG_ORGANIZATIONS, organization_names=FULL_NAMES)
    assert isinstance(widget, SearchComboWidget)
    type_text(widget.combo, typed)
    assert _shown(widget) == [f"{dict(CATALOG_ORGANIZATIONS)[found]} — {FULL_NAMES[found]}"]
    assert widget.value() == found
    press(Qt.Key.Key_Down)  # picked from the list: the box shows the short name
    press(Qt.Key.Key_Return)
    assert widget.combo.currentText() == dict(CATALOG_ORGANIZATIONS)[found] and widget.value() == found


@pytest.mark.parametrize("typed", ["đoàn", "doan"])
def test_organization_doan_lists_the_youth_union_first(qtbot: QtBot, make: Maker, typed: str) -> None:
    widget = make(field("organization"), organizations=CATALOG_ORGANIZATIONS, organization_names=FULL_NAMES)
    assert isinstance(widget, SearchComboWidget)
    type_text(widget.combo, typed)
    # Both are "đoàn"; the list says which is which.
    assert _shown(widget) == [
        "Đoàn TN — Đoàn Thanh niên Cộng sản Hồ Chí Minh",
        "Công đoàn — Công đoàn Việt Nam",
    ]
    with pytest.raises(ValueParseError, match="khớp với nhiều mục"):
        widget.value()
    assert widget.model.item(1).toolTip() == "Hội Liên hiệp Phụ nữ Việt Nam"


def test_ratio_two_boxes(qtbot: QtBot, make: Maker) -> None:
    widget = make(field("ratio", unit="xã"))
    assert isinstance(widget, RatioWidget)
    finished: list[bool] = []
    widget.editing_finished.connect(lambda: finished.append(True))
    type_text(widget.num_edit, "16")
    press(Qt.Key.Key_Tab)
    assert widget.den_edit.hasFocus()
    assert not finished  # still inside the widget
    type_text(widget.den_edit, "22")
    assert widget.value() == {"num": 16, "den": 22}
    leave(qtbot, widget)
    assert finished == [True]

    widget.set_value({"num": 169, "den": 228})
    assert (widget.num_edit.text(), widget.den_edit.text()) == ("169", "228")
    widget.set_value(None)
    type_text(widget.num_edit, "16/22")
    assert widget.value() == {"num": 16, "den": 22}
    widget.set_value(None)
    type_text(widget.num_edit, "16")
    with pytest.raises(ValueParseError, match="nhập cả tử số và mẫu số"):
        widget.value()


def test_changed_on_user_edits_only(qtbot: QtBot, make: Maker) -> None:
    widget = make(field("integer"))
    with qtbot.assertNotEmitted(widget.changed):
        widget.set_value(150)
    press(Qt.Key.Key_End)
    with qtbot.waitSignal(widget.changed):
        type_text(widget.focus_widgets()[0], "0")
    assert widget.value() == 1500


def test_invalid_mark_and_tooltip(qtbot: QtBot, make: Maker) -> None:
    widget = make(field("integer", help="Số hộ trong xóm."))
    target = widget.focus_widgets()[0]
    assert target.toolTip() == "Số hộ trong xóm."
    widget.set_invalid("«Trường thử» phải từ 0 trở lên.")
    assert widget.frame.property("invalid") is True
    assert widget.invalid_message() == "«Trường thử» phải từ 0 trở lên."
    assert target.toolTip() == "«Trường thử» phải từ 0 trở lên."
    widget.set_invalid(None)
    assert widget.frame.property("invalid") is False
    assert target.toolTip() == "Số hộ trong xóm."


def test_read_only_and_computed(qtbot: QtBot, make: Maker) -> None:
    text = make(field("text"))
    text.set_read_only(True)
    type_text(text.focus_widgets()[0], "abc")
    assert text.value() is None
    text.set_read_only(False)
    type_text(text.focus_widgets()[0], "abc")
    assert text.value() == "abc"

    choice = make(field("yes_no"))
    choice.set_read_only(True)
    assert not choice.focus_widgets()[0].isEnabled()

    computed = make(field("percent", computed="1 + 1"))
    box = computed.focus_widgets()[0]
    assert isinstance(box, QLineEdit) and box.isReadOnly()
    assert box.focusPolicy() == Qt.FocusPolicy.ClickFocus  # Tab skips it
    computed.set_read_only(False)  # unlocking a period does not make a computed field editable
    assert box.isReadOnly()
