"""At the unit: «Ý kiến và văn bản của cấp trên» (the inbox), the comments to fix, and submitting a return."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from danvan_desktop.db.engine import Database
from danvan_desktop.errors import UserError
from danvan_desktop.localtime import local_time_text
from danvan_desktop.services.office.forms import form_registry
from danvan_desktop.services.office.installation import InstallationInfo
from danvan_desktop.services.office.periods import PeriodInfo
from danvan_desktop.services.review import returns
from danvan_desktop.services.review.listing import comment_rows, inbox_rows, review_rows


class InboxDialog(QDialog):
    """What the office above sent (newest first), and its comments, each to be marked resolved."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inboxDialog")
        self.setWindowTitle("Ý kiến và văn bản của cấp trên")
        self.db = db
        self.inbox = QTableWidget(0, 3)
        self.inbox.setObjectName("inboxTable")
        self.inbox.setHorizontalHeaderLabels(["Nhận lúc", "Nội dung", "Chi tiết"])
        self.comments = QTableWidget(0, 4)
        self.comments.setObjectName("inboxComments")
        self.comments.setHorizontalHeaderLabels(["", "Báo cáo", "Ý kiến", "Người góp ý"])
        for table in (self.inbox, self.comments):
            table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
            table.setWordWrap(True)
            table.horizontalHeader().setStretchLastSection(True)
            table.verticalHeader().setVisible(False)
        self.inbox.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.comments.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.comments.horizontalHeader().setStretchLastSection(False)
        self.states = QLabel()
        self.states.setObjectName("inboxStates")
        self.states.setWordWrap(True)
        self.resolve_button = QPushButton("Đánh dấu &đã sửa")
        self.resolve_button.setObjectName("resolveComment")
        self.resolve_button.clicked.connect(self.resolve_selected)
        close = QPushButton("Đóng")
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.resolve_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>Trạng thái các báo cáo đã nộp</b>"))
        layout.addWidget(self.states)
        layout.addWidget(QLabel("<b>Đã nhận từ cấp trên</b> (mới nhất trước)"))
        layout.addWidget(self.inbox, 1)
        layout.addWidget(
            QLabel("<b>Ý kiến của cấp trên</b> (• chưa sửa, ✓ đã sửa; gói xuất lần tới sẽ báo lên)")
        )
        layout.addWidget(self.comments, 1)
        layout.addLayout(buttons)
        self.comment_ids: list[str] = []
        self.resize(1100, 650)
        self.refresh()

    def refresh(self) -> None:
        forms = form_registry()
        with self.db.session() as session:
            items = inbox_rows(session)
            rows = [(i.received_at, i.title, i.detail) for i in items]
            notes = comment_rows(session)
            states = review_rows(session)
        self.states.setText(
            "; ".join(
                f"{forms[s.form_id].title if s.form_id in forms else s.form_id} kỳ {s.period_code}: "
                f"<b>{s.state_label}</b>"
                for s in states
            )
            or "Chưa nộp báo cáo nào."
        )
        self.inbox.setRowCount(len(rows))
        for index, (at, title, detail) in enumerate(rows):
            for column, text in enumerate((local_time_text(at), title, detail)):
                self.inbox.setItem(index, column, QTableWidgetItem(text))
        notes.sort(key=lambda n: (n.resolved, n.created_at))
        self.comment_ids = [n.id for n in notes]
        self.comments.setRowCount(len(notes))
        for index, note in enumerate(notes):
            form = forms.get(note.form_id)
            where = f"{form.title if form else note.form_id} · kỳ {note.period_code}"
            if note.field_id and form is not None:
                label = next((f.label for f in form.fields() if f.id == note.field_id), note.field_id)
                where += f" · «{label}» (bản ghi {(note.record_id or '')[:8]})"
            elif note.record_id:
                where += f" · bản ghi {note.record_id[:8]}"
            cells = ("✓" if note.resolved else "•", where, note.text, note.author)
            for column, text in enumerate(cells):
                self.comments.setItem(index, column, QTableWidgetItem(text))
        self.inbox.resizeRowsToContents()
        self.comments.resizeRowsToContents()
        self.comments.setColumnWidth(0, 28)
        self.comments.setColumnWidth(1, 420)
        self.comments.setColumnWidth(3, 220)

    def resolve_selected(self) -> bool:
        row = self.comments.currentRow()
        if not 0 <= row < len(self.comment_ids):
            return False
        try:
            with self.db.transaction() as session:
                returns.resolve_comment(session, self.comment_ids[row])
        except UserError as exc:
            QMessageBox.warning(self, "Không thực hiện được", exc.message)
            return False
        self.refresh()
        return True


def submit_current(
    db: Database,
    installation: InstallationInfo,
    period: PeriodInfo | None,
    parent: QWidget,
    form_id: str | None = None,
) -> bool:
    """Ask which form of the period to submit (unless given), confirm, submit; the period locks."""
    if period is None:
        return False
    forms = form_registry()
    if form_id is None:
        choices = [f"{form.title} ({fid})" for fid, form in forms.items()]
        chosen, ok = QInputDialog.getItem(
            parent, "Nộp báo cáo lên cấp trên", f"Biểu mẫu nộp cho kỳ {period.label}:", choices, 0, False
        )
        if not ok:
            return False
        form_id = list(forms)[choices.index(chosen)]
        answer = QMessageBox.question(
            parent,
            "Nộp báo cáo",
            f"Nộp «{forms[form_id].title}» kỳ {period.label} lên cấp trên? Kỳ báo cáo sẽ được chốt "
            "(không sửa được) cho đến khi cấp trên trả lại.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
    try:
        with db.transaction() as session:
            returns.submit_return(session, form_id, period.code)
    except UserError as exc:
        QMessageBox.warning(parent, "Không nộp được", exc.message)
        return False
    return True
