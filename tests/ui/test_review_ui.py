"""The review screens: the district reviews a commune's return, comments a field, returns it; the inbox."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from danvan_desktop.db.engine import Database
from danvan_desktop.db.models import ReviewComment
from danvan_desktop.services.exchange.reply_export import write_replies
from danvan_desktop.services.office.forms import get_form
from danvan_desktop.services.office.installation import load_installation
from danvan_desktop.services.office.orgunits import find_unit, unit_label
from danvan_desktop.services.office.periods import get_period, list_periods
from danvan_desktop.services.review.returns import submit_return
from danvan_desktop.ui.entry_pages import RegisterPage
from danvan_desktop.ui.entry_target import EntryTarget
from danvan_desktop.ui.form_editor import FormEditor
from danvan_desktop.ui.inbox_dialog import InboxDialog
from danvan_desktop.ui.review_dialog import ReturnDialog, ReviewDialog
from tests.exchange.conftest import BRANCH, Site
from tests.exchange.review_helpers import FORM, PERIOD, state


def test_review_a_return_comment_a_field_send_it_back_then_the_commune_reads_it(
    qtbot: QtBot, commune_db: Database, demo_db: Database, tmp_path: Path
) -> None:
    (tmp_path / "dh").mkdir()
    phuc_chu, district = Site(commune_db, tmp_path), Site(demo_db, tmp_path / "dh")
    phuc_chu.save(FORM, "DH-PHUCCHU", PERIOD, BRANCH)
    with commune_db.transaction() as session:
        submit_return(session, FORM, PERIOD)
    district.import_(phuc_chu.export("pc-1.danvan"), accept_new_site=True)

    with demo_db.session() as session:
        installation = load_installation(session)
        periods = list_periods(session)
    current = next(p for p in periods if p.code == PERIOD)
    review = ReviewDialog(demo_db, installation, periods, current)
    qtbot.addWidget(review)
    review.resize(1366, 768)
    review.show()
    cell = next(k for k, v in review.cells.items() if v == ("DH-PHUCCHU", FORM))
    assert review.table.item(*cell).text() == "Đã nhận"
    assert "1 báo cáo chờ duyệt" in review.summary.text()
    review.grab().save(str(tmp_path / "review.png"))

    dialog = ReturnDialog(demo_db, "DH-PHUCCHU", FORM, PERIOD, review)
    qtbot.addWidget(dialog)
    dialog.resize(1366, 768)
    dialog.show()
    assert "Đã nhận" in dialog.heading.text() and dialog.approve_button.isEnabled()
    row = next(i for i, rid in enumerate(dialog.record_ids) if phuc_chu.record(rid) is not None)
    column = next(i for i, f in enumerate(dialog.fields) if f.id == "hoi_vien")
    dialog.records.setCurrentCell(row, column)
    assert dialog.comment_field("Số hội viên chưa khớp sổ")
    assert dialog.comments.count() == 1 and "«" in dialog.comments.item(0).text()
    dialog.grab().save(str(tmp_path / "return.png"))
    assert dialog.send_back("")
    assert state(district) == "tra_lai" and not dialog.approve_button.isEnabled()

    [result] = write_replies(demo_db, tmp_path / "replies", units=["DH-PHUCCHU"])
    phuc_chu.import_(result.summary.path, accept_new_site=True)
    inbox = InboxDialog(commune_db)
    qtbot.addWidget(inbox)
    inbox.resize(1366, 768)
    inbox.show()
    titles = [inbox.inbox.item(row, 1).text() for row in range(inbox.inbox.rowCount())]
    # The review's two lines; the reply's other payloads (the district's settings and catalog) add theirs.
    review_lines = [t for t in titles if t.startswith(("Ý kiến về", "Cấp trên trả lại"))]
    assert len(review_lines) == 2 and "Trả lại" in inbox.states.text()
    assert set(titles) - set(review_lines) <= {"Thông tin in trên văn bản", "Danh mục bổ sung"}
    assert inbox.comments.item(0, 2).text() == "Số hội viên chưa khớp sổ"
    inbox.grab().save(str(tmp_path / "inbox.png"))

    # Where the clerk works: the register says a record has a comment, the record shows it by its field.
    register = _register(qtbot, commune_db, tmp_path / "register.png")
    assert "1 ý kiến về từng bản ghi" in register.review_banner.text() and register.review_banner.isVisibleTo(
        register
    )
    editor = _open_branch(qtbot, register, row_id=dialog.record_ids[row])
    note = editor.findChild(QLabel, "review_hoi_vien")
    assert note is not None and note.isVisibleTo(editor) and "Số hội viên chưa khớp sổ" in note.text()
    assert editor.findChild(QLabel, "review_ten_chi_hoi") is None  # only the field commented on
    qtbot.wait(50)
    editor.window().grab().save(str(tmp_path / "record-with-comment.png"))

    inbox.comments.selectRow(0)
    assert inbox.resolve_selected()
    assert inbox.comments.item(0, 0).text() == "✓"
    with commune_db.session() as session:
        assert session.scalars(select(ReviewComment.resolved_at)).one() is not None
    resolved = _register(qtbot, commune_db, tmp_path / "register-resolved.png")
    assert not resolved.review_banner.isVisibleTo(resolved)
    editor = _open_branch(qtbot, resolved, row_id=dialog.record_ids[row])
    assert editor.findChild(QLabel, "review_hoi_vien") is None


def _register(qtbot: QtBot, db: Database, shot: Path) -> RegisterPage:
    with db.session() as session:
        unit, period = find_unit(session, "DH-PHUCCHU"), get_period(session, PERIOD)
        site = load_installation(session).site_id
        target = EntryTarget(unit.id, unit_label(unit), unit.kind, period.id, period.label, site, (unit.id,))
    page = RegisterPage(db, get_form(FORM), target)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    page.grab().save(str(shot))
    return page


def _open_branch(qtbot: QtBot, page: RegisterPage, row_id: str) -> FormEditor:
    page.reload(select_id=row_id)
    dialog = page.edit_current()
    assert dialog is not None
    qtbot.addWidget(dialog)
    return dialog.editor


def test_the_import_wizard_takes_a_reply_at_the_commune(
    qtbot: QtBot, commune_db: Database, demo_db: Database, tmp_path: Path
) -> None:
    from danvan_desktop.services.review.returns import decide_return
    from danvan_desktop.ui.import_wizard import ImportWizard

    (tmp_path / "dh").mkdir()
    phuc_chu, district = Site(commune_db, tmp_path), Site(demo_db, tmp_path / "dh")
    phuc_chu.save(FORM, "DH-PHUCCHU", PERIOD, BRANCH)
    with commune_db.transaction() as session:
        submit_return(session, FORM, PERIOD)
    district.import_(phuc_chu.export("pc-1.danvan"), accept_new_site=True)
    with demo_db.transaction() as session:
        decide_return(session, "DH-PHUCCHU", FORM, PERIOD, approve=True)
    [result] = write_replies(demo_db, tmp_path / "replies", units=["DH-PHUCCHU"])

    wizard = ImportWizard(commune_db, site_id=phuc_chu.site_id, user="lan", backup_dir=tmp_path / "bk")
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.files_page.add_paths([result.summary.path])
    wizard.next()
    qtbot.waitUntil(lambda: not wizard.preview_page.running, timeout=20000)
    table = wizard.preview_page.table
    assert table.item(0, 1).text() == "Huyện Định Hóa"  # type: ignore[union-attr]
    assert "cần đối chiếu khóa" in table.item(0, 3).text()  # type: ignore[union-attr]
    wizard.preview_page.accept_box.setChecked(True)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.report_page, timeout=20000)
    text = wizard.report_text()
    assert "Đã nhập gói phản hồi" in text and "đã duyệt" in text and "gói rỗng" not in text
    assert state(phuc_chu) == "da_duyet"
