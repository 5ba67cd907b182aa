"""The village screens: asked first when a commune has none, typed in Vietnamese, offered by the forms."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QMenu
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from danvan_desktop import paths
from danvan_desktop.db.engine import Database, open_database
from danvan_desktop.db.models import OrgUnit
from danvan_desktop.services.office.installation import initialize_database
from danvan_desktop.services.office.office_view import load_office_snapshot
from danvan_desktop.ui.entry_pages import RegisterPage
from danvan_desktop.ui.help_window import help_page_for
from danvan_desktop.ui.main_window import MainWindow
from danvan_desktop.ui.units_dialog import AddVillagesDialog, RenameVillageDialog, VillageListDialog
from tests.ui.keyboard import type_text

SHOTS = Path("/tmp/danvan-villages")  # looked at by a person: every screen at 1366x768


@pytest.fixture(scope="module")
def today_commune_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    probe = initialize_database(
        tmp_path_factory.mktemp("probe") / "tn.sqlite3", "TN", None, catalog_dir=paths.catalog_dir()
    )
    with probe.session() as session:
        province = session.scalar(select(OrgUnit).where(OrgUnit.code == "TN"))
        assert province is not None
        code = min(
            session.scalars(
                select(OrgUnit.code).where(
                    OrgUnit.parent_id == province.id,
                    OrgUnit.kind.in_(["xa", "phuong"]),
                    OrgUnit.valid_to.is_(None),
                )
            )
        )
    probe.close()
    path = tmp_path_factory.mktemp("xa") / "xa.sqlite3"
    initialize_database(path, code, None, catalog_dir=paths.catalog_dir()).close()
    return path


@pytest.fixture
def today_commune(today_commune_template: Path, tmp_path: Path) -> Iterator[Database]:
    shutil.copytree(today_commune_template.parent, tmp_path / "xa")
    db = open_database(tmp_path / "xa" / today_commune_template.name)
    yield db
    db.close()


def _open(qtbot: QtBot, db: Database) -> MainWindow:
    window = MainWindow(None)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    with qtbot.waitSignal(window.ready):
        window.attach(db, load_office_snapshot(db, current_year=dt.date.today().year))
    return window


def _type_lines(widget: object, lines: list[str]) -> None:
    for number, line in enumerate(lines):
        if number:
            QTest.keyClick(widget, Qt.Key.Key_Return)  # type: ignore[arg-type]
        type_text(widget, line)  # type: ignore[arg-type]


def _shot(widget: object, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    assert widget.grab().save(str(SHOTS / name))  # type: ignore[attr-defined]


def _villages(db: Database) -> list[tuple[str, str]]:
    with db.session() as session:
        units = session.scalars(select(OrgUnit).where(OrgUnit.source == "office").order_by(OrgUnit.code))
        return [(u.name, u.kind) for u in units]


def test_a_new_commune_is_asked_for_its_villages_and_the_form_then_offers_them(
    qtbot: QtBot, today_commune: Database
) -> None:
    window = _open(qtbot, today_commune)
    qtbot.waitUntil(lambda: isinstance(getattr(window, "units_dialog", None), AddVillagesDialog))
    dialog = window.units_dialog  # type: ignore[attr-defined]
    assert (
        dialog.isVisible()
        and "chưa có danh sách xóm, tổ dân phố" in dialog.findChild(object, "unitsIntro").text()
    )
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.names)  # typing starts at once
    _type_lines(dialog.names, ["1. Bản Lác", "Nà Mòn", "Tổ dân phố Số 3"])
    _shot(window, "prompt_over_window.png")
    _shot(dialog, "prompt.png")
    QTest.keyClick(dialog, Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)  # «&Lưu»
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert _villages(today_commune) == [("Bản Lác", "xom"), ("Nà Mòn", "xom"), ("Số 3", "to_dan_pho")]

    texts = []
    model = window.tree.model()
    root = model.index(0, 0)
    texts = [str(model.index(r, 0, root).data()) for r in range(model.rowCount(root))]
    assert texts == ["Xóm Bản Lác", "Xóm Nà Mòn", "Tổ dân phố Số 3"]
    window.tree.setCurrentIndex(root)
    window.form_area.select_form("nha_van_hoa")
    page = window.form_area.page
    assert isinstance(page, RegisterPage)
    record = page.add()
    assert record is not None
    combo = record.editor.field_widget("xom").combo  # type: ignore[attr-defined]
    offered = [combo.itemText(i) for i in range(combo.count())]
    assert {"Xóm Bản Lác", "Xóm Nà Mòn", "Tổ dân phố Số 3"} <= set(offered), offered
    _shot(record, "nha_van_hoa_offers_villages.png")
    record.reject()


def test_the_list_screen_renames_by_keyboard_and_keeps_refusals_on_screen(
    qtbot: QtBot, today_commune: Database
) -> None:
    window = _open(qtbot, today_commune)
    qtbot.waitUntil(lambda: isinstance(getattr(window, "units_dialog", None), AddVillagesDialog))
    prompt = window.units_dialog  # type: ignore[attr-defined]
    _type_lines(prompt.names, ["Bản Lác", "Đồng Tâm"])
    assert prompt.try_save()

    menu = next(m for m in window.menuBar().findChildren(QMenu) if m.objectName() == "unitsMenu")
    menu.actions()[0].trigger()
    listing = window.units_dialog  # type: ignore[attr-defined]
    assert isinstance(listing, VillageListDialog) and listing.isVisible()
    assert [listing.table.item(r, 1).text() for r in range(listing.table.rowCount())] == [
        "Xóm Bản Lác",
        "Xóm Đồng Tâm",
    ]
    listing.activateWindow()
    qtbot.waitUntil(listing.isActiveWindow)  # shortcuts work in the active window, as for a clerk
    listing.table.selectRow(1)
    QTest.keyClick(listing.table, Qt.Key.Key_F2)
    rename = listing.child
    assert isinstance(rename, RenameVillageDialog) and rename.isVisible()
    type_text(rename.name, "Đồng Tâm Mới")  # the old name is selected: typing replaces it
    QTest.keyClick(rename.name, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not rename.isVisible())
    assert listing.table.item(1, 1).text() == "Xóm Đồng Tâm Mới"
    assert listing.table.item(1, 0).text().endswith("-02")  # the code stays
    _shot(listing, "village_list.png")
    assert help_page_for(listing.table) == help_page_for(rename.name) == "xom-to-dan-pho"  # F1

    listing.activateWindow()
    qtbot.waitUntil(listing.isActiveWindow)
    QTest.keyClick(listing.table, Qt.Key.Key_Insert)
    add = listing.child
    assert isinstance(add, AddVillagesDialog)
    _type_lines(add.names, ["Nà Mòn", "ban lac"])  # the second one exists already
    before = _villages(today_commune)
    assert not add.try_save()
    assert add.isVisible() and "đã có Xóm Bản Lác" in add.error.text()
    assert _villages(today_commune) == before  # nothing stored, not even Nà Mòn
    _shot(add, "add_refused.png")
    add.reject()
    listing.accept()


def test_an_office_with_villages_or_without_a_future_is_not_asked(qtbot: QtBot, commune_db: Database) -> None:
    window = _open(qtbot, commune_db)  # Phúc Chu ended on 30/6/2025: nothing to ask today
    qtbot.wait(50)
    assert not [d for d in window.findChildren(QDialog) if d.isVisible()]


def test_a_clerk_sees_the_villages_but_cannot_change_them(qtbot: QtBot, today_commune: Database) -> None:
    """Villages are the office's catalog: an administrator's. The list shows, the actions say why not,
    the service refuses even without the screen, and the clerk is not asked for the list."""
    from danvan_desktop.errors import UserError
    from danvan_desktop.services.office import account_admin, accounts
    from danvan_desktop.services.office.installation import load_installation
    from danvan_desktop.services.office.village_units import add_village

    account_admin.add(today_commune, "quantri", "Đỗ Văn Hùng", "mật khẩu quản trị", ["quan_tri"])
    today_commune.sign_in(accounts.authenticate(today_commune, "quantri", "mật khẩu quản trị"))
    account_admin.add(today_commune, "lan", "Nguyễn Thị Lan", "mật khẩu nhập liệu", ["nhap_lieu"])
    today_commune.sign_in(accounts.authenticate(today_commune, "lan", "mật khẩu nhập liệu"))
    with today_commune.session() as session:
        office_id = load_installation(session).office_unit_id
    dialog = VillageListDialog(today_commune, office_id, None)
    qtbot.addWidget(dialog)
    for button in dialog.action_buttons.values():
        assert not button.isEnabled() and "Quản trị" in button.toolTip(), button.toolTip()
    assert "Chỉ xem danh sách" in dialog.status.text()
    with pytest.raises(UserError, match="Quản trị"), today_commune.transaction() as session:
        add_village(session, office_id, "Nà Mòn", "xom", None, user="lan")
    window = _open(qtbot, today_commune)
    qtbot.wait(50)
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()]
    window.close()
