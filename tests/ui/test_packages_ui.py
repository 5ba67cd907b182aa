"""Package screens on real databases: export, the import wizard, conflicts, completeness, the menu."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from danvan_desktop import paths
from danvan_desktop.db.engine import Database, open_database
from danvan_desktop.db.models import TrustedSite
from danvan_desktop.services.office.installation import initialize_database, load_installation
from danvan_desktop.services.office.office_view import load_office_snapshot
from danvan_desktop.services.office.orgunits import find_unit
from danvan_desktop.services.office.periods import list_periods
from danvan_desktop.transport.reader import open_package
from danvan_desktop.ui.completeness_view import CompletenessDialog
from danvan_desktop.ui.conflicts_dialog import ConflictsDialog
from danvan_desktop.ui.export_dialog import ExportDialog
from danvan_desktop.ui.import_wizard import ImportWizard
from danvan_desktop.ui.main_window import MainWindow
from tests.exchange.conftest import BRANCH, Site

SHOTS = Path("/tmp")


def shot(widget: QWidget, name: str) -> None:
    QApplication.processEvents()  # pending layout requests first: the picture shows what a user sees
    widget.grab().save(str(SHOTS / name))


@pytest.fixture(scope="session")
def baolinh_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("templates") / "baolinh.sqlite3"
    initialize_database(path, "DH-BAOLINH", None, catalog_dir=paths.catalog_dir()).close()
    return path


@pytest.fixture
def district(demo_db: Database, tmp_path: Path) -> Site:
    (tmp_path / "district").mkdir()
    return Site(demo_db, tmp_path / "district")


@pytest.fixture
def phuc_chu(commune_db: Database, tmp_path: Path) -> Site:
    (tmp_path / "phucchu").mkdir()
    return Site(commune_db, tmp_path / "phucchu")


@pytest.fixture
def bao_linh(baolinh_template: Path, tmp_path: Path) -> Iterator[Site]:
    folder = tmp_path / "baolinh"
    shutil.copytree(baolinh_template.parent, folder)
    site = Site(open_database(folder / "baolinh.sqlite3"), folder)
    yield site
    site.db.close()


def wizard_for(qtbot: QtBot, site: Site, files: list[Path]) -> ImportWizard:
    wizard = ImportWizard(site.db, site_id=site.site_id, user="Hoàng Văn Dũng", backup_dir=site.folder / "bk")
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.files_page.add_paths(files)
    return wizard


def preview(qtbot: QtBot, wizard: ImportWizard) -> None:
    wizard.next()
    assert wizard.currentPage() is wizard.preview_page
    qtbot.waitUntil(lambda: not wizard.preview_page.running, timeout=20000)


def apply(qtbot: QtBot, wizard: ImportWizard) -> None:
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.report_page, timeout=20000)


def row_texts(wizard: ImportWizard, row: int) -> list[str]:
    table = wizard.preview_page.table
    return [table.item(row, c).text() for c in range(table.columnCount())]  # type: ignore[union-attr]


def test_export_dialog_writes_a_package(qtbot: QtBot, phuc_chu: Site, tmp_path: Path) -> None:
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    with phuc_chu.db.session() as session:
        info, periods = load_installation(session), list_periods(session)
    current = next(p for p in periods if p.code == "2023")
    dialog = ExportDialog(phuc_chu.db, info, periods, current, folder=tmp_path)
    qtbot.addWidget(dialog)
    dialog.show()
    expected = tmp_path / f"DH-PHUCCHU-{dt.date.today():%Y%m%d}.danvan"
    assert Path(dialog.path_edit.text()) == expected
    dialog.some_periods.setChecked(True)
    assert dialog.chosen_periods() == ["2023"]  # the period open in the main window is ticked
    dialog.all_periods.setChecked(True)
    assert dialog.chosen_periods() == [] and not dialog.period_list.isEnabled()
    dialog.passphrase.setText("mật khẩu xã")
    dialog.confirm.setText("mật khẩu")
    assert not dialog.start_export() and "không khớp" in dialog.message.text()
    dialog.confirm.setText("mật khẩu xã")
    assert dialog.start_export()
    qtbot.waitUntil(lambda: dialog.export_result is not None, timeout=20000)
    assert dialog.export_result is not None and dialog.export_result.summary is not None
    assert "Đã xuất gói số 1</b> của Xã Phúc Chu" in dialog.message.text()
    assert "1 bản ghi (0 đã xóa)" in dialog.message.text() and "đã mã hóa" in dialog.message.text()
    package = open_package(expected, "mật khẩu xã")
    assert package.fingerprint == " ".join(
        dialog.fingerprint.text().split()
    ) and package.manifest.periods == ["2023"]
    assert not dialog.export_button.isEnabled()
    shot(dialog, "export_dialog.png")
    dialog.path_edit.setText(str(tmp_path / "lan-hai"))  # nothing changed since: no file is written
    dialog.since_last.setChecked(True)
    dialog.passphrase.clear()
    dialog.confirm.clear()
    dialog.export_result = None
    assert dialog.start_export()
    qtbot.waitUntil(lambda: dialog.export_result is not None, timeout=20000)
    assert "Không có số liệu nào để gửi kể từ lần gửi trước" in dialog.message.text()
    assert not (tmp_path / "lan-hai.danvan").exists()


def test_import_wizard_end_to_end(qtbot: QtBot, phuc_chu: Site, district: Site, tmp_path: Path) -> None:
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", {**BRANCH, "ten_chi_hoi": "Chi đoàn xã"})
    phuc_chu.export("pc-1.danvan")
    wizard = wizard_for(qtbot, district, [phuc_chu.folder])  # a folder: its *.danvan files
    assert wizard.files_page.paths() == [phuc_chu.folder / "pc-1.danvan"]
    shot(wizard, "import_wizard_files.png")
    preview(qtbot, wizard)
    page = wizard.preview_page
    assert row_texts(wizard, 0)[:4] == [
        "pc-1.danvan",
        "Xã Phúc Chu",
        "1",
        "Đơn vị mới — cần đối chiếu khóa (chưa nhập)",
    ]
    assert row_texts(wizard, 0)[4] == "2"  # two new records
    assert page.accept_box.isVisible() and not page.isComplete()
    assert page.fingerprint.text() == wizard.items[0].preview.report.fingerprint  # type: ignore[union-attr]
    page.accept_box.setChecked(True)
    assert page.isComplete() and row_texts(wizard, 0)[3] == "Đơn vị mới — đã chấp nhận khóa"
    shot(wizard, "import_wizard_preview.png")
    changed: list[bool] = []
    wizard.changed.connect(lambda: changed.append(True))
    apply(qtbot, wizard)
    assert changed == [True]
    names = {r.values["ten_chi_hoi"] for r in district.records()}
    assert names == {"Chi hội Phụ nữ xã", "Chi đoàn xã"}
    text = wizard.report_text()
    assert (
        "✓ Đã nhập gói pc-1.danvan." in text
        and "2 mới" in text
        and "Đơn vị gửi: Xã Phúc Chu, gói số 1" in text
    )
    assert "Đã nhập 1 trên 1 gói" in wizard.report_page.summary.text()
    assert not wizard.report_page.conflicts_button.isVisible()
    shot(wizard, "import_wizard_report.png")
    saved = tmp_path / "bao-cao.txt"
    wizard.report_page.save_report(saved)
    assert saved.read_text(encoding="utf-8").startswith("✓ Đã nhập gói pc-1.danvan.")


def test_unticked_new_site_is_skipped_and_broken_files_are_refused(
    qtbot: QtBot, phuc_chu: Site, bao_linh: Site, district: Site, tmp_path: Path
) -> None:
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    bao_linh.save("to_chuc_doan_the", "DH-BAOLINH", "2023", {**BRANCH, "ten_chi_hoi": "Chi hội Bảo Linh"})
    bao_linh.export("bl-1.danvan").unlink()  # package 1 never reaches the district
    bao_linh.save("to_chuc_doan_the", "DH-BAOLINH", "2022", BRANCH)
    broken = tmp_path / "hong.danvan"
    broken.write_bytes(b"day khong phai goi du lieu")
    files = [phuc_chu.export("pc-1.danvan"), bao_linh.export("bl-2.danvan"), broken]
    wizard = wizard_for(qtbot, district, files)
    preview(qtbot, wizard)
    page = wizard.preview_page
    assert row_texts(wizard, 2)[3].startswith("Bị từ chối cả gói: không phải gói dữ liệu Dân Vận")
    page.table.selectRow(2)
    assert "không phải gói dữ liệu Dân Vận" in page.detail.text() and not page.accept_box.isVisible()
    page.table.selectRow(1)
    assert "Chưa nhận gói số 1 của xã Bảo Linh." in page.detail.text()
    page.accept_box.setChecked(True)  # Bảo Linh's key accepted; Phúc Chu's left unticked
    shot(wizard, "import_wizard_refused.png")
    apply(qtbot, wizard)
    with district.db.session() as session:
        trusted = session.scalars(select(TrustedSite.office_unit_code)).all()
        bao_linh_id = find_unit(session, "DH-BAOLINH").id
    assert len(district.records()) == 2 and {r.org_unit_id for r in district.records()} == {bao_linh_id}
    assert trusted == ["DH-BAOLINH"]
    text = wizard.report_text()
    assert "– Bỏ qua gói pc-1.danvan của Xã Phúc Chu: chưa chấp nhận khóa ký" in text
    assert "✗ Gói «hong.danvan»: không phải gói dữ liệu Dân Vận" in text
    assert "! Chưa nhận gói số 1 của xã Bảo Linh." in text
    assert "1 gói bị từ chối" in wizard.report_page.summary.text()


def test_encrypted_package_needs_the_passphrase_and_can_be_checked_again(
    qtbot: QtBot, phuc_chu: Site, district: Site
) -> None:
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    wizard = wizard_for(qtbot, district, [phuc_chu.export("pc-1.danvan", passphrase="hoa sen")])
    preview(qtbot, wizard)
    assert row_texts(wizard, 0)[3].startswith("Bị từ chối cả gói: ")
    assert "mật khẩu" in row_texts(wizard, 0)[3] and "mật khẩu" in wizard.preview_page.detail.text()
    assert not wizard.preview_page.isComplete()
    wizard.back()
    wizard.files_page.passphrase.setText("hoa sen")
    preview(qtbot, wizard)
    assert row_texts(wizard, 0)[3] == "Đơn vị mới — cần đối chiếu khóa (chưa nhập)"


def test_stop_takes_effect_before_the_next_package(
    qtbot: QtBot, phuc_chu: Site, bao_linh: Site, district: Site
) -> None:
    phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    bao_linh.save("to_chuc_doan_the", "DH-BAOLINH", "2023", BRANCH)
    files = [phuc_chu.export("pc-1.danvan"), bao_linh.export("bl-1.danvan")]
    wizard = wizard_for(qtbot, district, files)
    wizard.next()
    wizard.preview_page.stop()  # the first package is being checked: the second is not started
    qtbot.waitUntil(lambda: not wizard.preview_page.running, timeout=20000)
    assert row_texts(wizard, 1)[3] == "Chưa kiểm tra (đã dừng)" and wizard.items[1].preview is None
    wizard.back()
    preview(qtbot, wizard)  # checked again, this time to the end
    page = wizard.preview_page
    for row in (0, 1):
        page.table.selectRow(row)
        page.accept_box.setChecked(True)
    wizard.next()
    wizard.reject()  # closing while importing stops after the package being written, then reports
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.report_page, timeout=20000)
    assert wizard.isVisible() and len(district.records()) == 1
    assert "– Chưa nhập gói bl-1.danvan: đã dừng trước gói này." in wizard.report_text()


def _conflicted(phuc_chu: Site, district: Site) -> str:
    record_id = phuc_chu.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    district.import_(phuc_chu.export("pc-1.danvan"), accept_new_site=True)
    district.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", {**BRANCH, "doi_tuong": 460}, record_id)
    phuc_chu.save(
        "to_chuc_doan_the", "DH-PHUCCHU", "2023", {**BRANCH, "hoi_vien": 500, "doi_tuong": 700}, record_id
    )
    return record_id


def test_conflicts_dialog_resolves_per_field(qtbot: QtBot, phuc_chu: Site, district: Site) -> None:
    record_id = _conflicted(phuc_chu, district)
    wizard = wizard_for(qtbot, district, [phuc_chu.export("pc-2.danvan")])
    preview(qtbot, wizard)
    assert row_texts(wizard, 0)[3] == "Sẵn sàng nhập" and row_texts(wizard, 0)[8] == "1"
    changes = wizard.preview_page.changes
    assert changes.topLevelItemCount() == 1 and "[xung đột, chờ quyết định]" in changes.topLevelItem(0).text(
        0
    )  # type: ignore[union-attr]
    shot(wizard, "import_wizard_conflict.png")
    apply(qtbot, wizard)
    assert wizard.report_page.conflicts_button.isVisible()
    shot(wizard, "import_wizard_report_conflict.png")
    wizard.report_page.open_conflicts()
    dialog = wizard.report_page.conflicts_dialog
    assert isinstance(dialog, ConflictsDialog)
    resolved: list[bool] = []
    dialog.resolved.connect(lambda: resolved.append(True))
    assert dialog.conflict_list.count() == 1
    table = dialog.table
    rows = {
        table.item(r, 0).text(): (table.item(r, 1).text(), table.item(r, 2).text())
        for r in range(table.rowCount())
    }  # type: ignore[union-attr]
    assert rows["Số hội viên, đoàn viên"] == ("450", "500")
    assert rows["Số người thuộc đối tượng tập hợp"] == ("460", "700")
    dialog.set_field_taken("hoi_vien")  # 500 members out of 460 people breaks the form's rule
    assert not dialog.resolve("fields")
    assert "Chưa xử lý được" in dialog.message.text() and dialog.conflict_list.count() == 1
    assert "Số hội viên" in dialog.message.text()  # the rule that the mix breaks
    shot(dialog, "conflicts_dialog.png")
    dialog.set_field_taken("hoi_vien", False)
    dialog.set_field_taken("doi_tuong")
    assert dialog.selected_fields() == ["doi_tuong"]
    dialog.fields_button.click()
    assert resolved == [True] and dialog.conflict_list.count() == 0
    assert "Đã xử lý" in dialog.message.text() and not dialog.keep_button.isEnabled()
    record = district.record(record_id)
    assert record is not None and (record.values["hoi_vien"], record.values["doi_tuong"]) == (450, 700)
    dialog.accept()
    qtbot.waitUntil(lambda: not wizard.report_page.conflicts_button.isVisible())


def test_completeness_dialog_shows_units_by_forms(qtbot: QtBot, demo_db: Database, district: Site) -> None:
    district.save("to_chuc_doan_the", "DH-PHUCCHU", "2023", BRANCH)
    snapshot = load_office_snapshot(demo_db, current_year=2023)
    forms = {f: snapshot.forms[f] for f in ("ho_so_xa", "to_chuc_doan_the")}
    dialog = CompletenessDialog(
        demo_db,
        snapshot.installation.office_unit_id,
        snapshot.periods,
        forms,
        snapshot.period,
        today=dt.date(2024, 2, 1),
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.data is not None, timeout=20000)
    assert dialog.summary.text() == "0/23 đơn vị đã gửi đủ · Năm 2023"
    table = dialog.table
    units = [table.verticalHeaderItem(r).text() for r in range(table.rowCount())]  # type: ignore[union-attr]
    assert units[0] == "Huyện Định Hóa (đơn vị mình)" and len(units) == 24
    row = units.index("Xã Phúc Chu")
    assert [table.item(row, c).text() for c in (0, 1)] == ["Trễ hạn", "Đã nhận"]  # type: ignore[union-attr]
    assert table.item(0, 0).text() == "—"  # type: ignore[union-attr]
    assert dialog.tally.text() == "Đã nhận: 1 · Chưa có: 0 · Trễ hạn: 45 · Xung đột: 0"
    dialog.resize(900, 600)
    shot(dialog, "completeness_small.png")
    full = CompletenessDialog(
        demo_db, snapshot.installation.office_unit_id, snapshot.periods, snapshot.forms, snapshot.period
    )
    qtbot.addWidget(full)
    full.show()
    qtbot.waitUntil(lambda: full.data is not None, timeout=20000)
    shot(full, "completeness.png")


def test_package_menu_opens_the_dialogs(qtbot: QtBot, demo_db: Database) -> None:
    window = MainWindow(None)
    qtbot.addWidget(window)
    window.show()
    window.attach(demo_db, load_office_snapshot(demo_db, current_year=2023))
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Gói dữ liệu")
    actions = {a.text(): a for a in menu.actions()}  # type: ignore[union-attr]
    assert actions["&Xuất gói gửi cấp trên…"].shortcut().toString() == "Ctrl+E"
    assert actions["&Nhập gói nhận được…"].shortcut().toString() == "Ctrl+I"
    for text, kind in (
        ("&Xuất gói gửi cấp trên…", ExportDialog),
        ("&Nhập gói nhận được…", ImportWizard),
        ("Xung đột &chờ xử lý…", ConflictsDialog),
        ("&Tình hình nhận số liệu…", CompletenessDialog),
    ):
        actions[text].trigger()
        dialog = window.package_dialog
        assert isinstance(dialog, kind) and dialog.isVisible()
        if isinstance(dialog, CompletenessDialog):
            qtbot.waitUntil(lambda d=dialog: d.data is not None, timeout=20000)  # type: ignore[misc]
        dialog.reject()
    with demo_db.session() as session:
        assert session.scalar(select(func.count()).select_from(TrustedSite)) == 0
