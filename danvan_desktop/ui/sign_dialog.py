"""«Ký số» on the Reports screen: the PIN dialog, then the return numbered, signed and saved in one step."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from danvan_desktop.errors import UserError
from danvan_desktop.ui.export_dialog import documents_folder
from danvan_desktop.ui.layout_helpers import dialog_buttons, resize_within_screen
from danvan_desktop.ui.worker import run_in_background

if TYPE_CHECKING:
    from danvan_desktop.db.engine import Database
    from danvan_desktop.services.reporting.signing_setup import KeySource
    from danvan_desktop.ui.reports_dialog import ReportsDialog

TOKEN = "token"


class SignDialog(QDialog):
    """Which key signs (the token or a .p12 file) and its PIN; the organization's .p12, if it has one."""

    def __init__(self, parent: QWidget | None = None, db: Database | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.setWindowTitle("Ký số báo cáo")
        resize_within_screen(self, 620, 300)
        self.token_choice = QRadioButton("&Token (USB) của người ký")
        self.token_choice.setObjectName("signWithToken")
        self.file_choice = QRadioButton("Tệp chứng thư .p&12/.pfx:")
        self.file_choice.setObjectName("signWithFile")
        group = QButtonGroup(self)
        group.addButton(self.token_choice)
        group.addButton(self.file_choice)
        self.token_choice.setChecked(True)
        self.cert_file = self._file_edit("signerCertFile")
        self.pin = self._secret("signerPin", "Mã PIN của token hoặc mật khẩu của tệp")
        self.org_file = self._file_edit("orgCertFile")
        self.org_file.setPlaceholderText("(không bắt buộc) chứng thư số của cơ quan, tệp .p12")
        self.org_pin = self._secret("orgPin", "Mật khẩu của tệp chứng thư cơ quan")
        self.message = QLabel()
        self.message.setObjectName("signMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")

        form = QFormLayout()
        form.addRow(self.token_choice)
        form.addRow(self.file_choice, self._with_browse(self.cert_file))
        form.addRow("Mã &PIN / mật khẩu:", self.pin)
        form.addRow("Chứng thư &cơ quan:", self._with_browse(self.org_file))
        form.addRow("Mật khẩu chứng thư cơ quan:", self.org_pin)
        note = QLabel(
            "Số văn bản chỉ được cấp khi tệp đã ký được ghi; ký không được hoặc bấm Hủy thì không lấy số. "
            "Thời gian ký lấy theo giờ máy tính."
        )
        note.setWordWrap(True)
        note.setStyleSheet("color: #555555;")
        buttons = dialog_buttons(self, "&Ký số", self.accept)
        if db is not None:  # images, the token's library, trusted roots: editable from here
            settings = QPushButton("Cài đặt &ảnh chữ ký, con dấu, token…")
            settings.setObjectName("signSettings")
            settings.setAutoDefault(False)
            settings.clicked.connect(self.edit_settings)
            buttons.addButton(settings, QDialogButtonBox.ButtonRole.ResetRole)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.cert_file.textEdited.connect(lambda _t: self.file_choice.setChecked(True))

    def _file_edit(self, name: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        return edit

    def _secret(self, name: str, hint: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        edit.setPlaceholderText(hint)
        return edit

    def _with_browse(self, edit: QLineEdit) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(edit, 1)
        browse = QPushButton("Chọn…")
        browse.setAutoDefault(False)

        def choose() -> None:
            name, _ = QFileDialog.getOpenFileName(
                self, "Chọn tệp chứng thư số", "", "Chứng thư (*.p12 *.pfx)"
            )
            if name:
                edit.setText(name)
                if edit is self.cert_file:
                    self.file_choice.setChecked(True)

        browse.clicked.connect(choose)
        row.addWidget(browse)
        return box

    def sources(self) -> tuple[KeySource, KeySource | None]:
        """The keys chosen; a clear message for a missing file or PIN."""
        from danvan_desktop.services.reporting.signing_setup import KeySource

        cert = TOKEN if self.token_choice.isChecked() else self.cert_file.text().strip()
        if not cert:
            raise UserError("Hãy chọn tệp chứng thư số (.p12/.pfx) của người ký, hoặc chọn Token.")
        if cert != TOKEN and not Path(cert).is_file():
            raise UserError(f"Không có tệp chứng thư số «{cert}».")
        if not self.pin.text():
            raise UserError("Hãy nhập mã PIN của token hoặc mật khẩu của tệp chứng thư.")
        org_file = self.org_file.text().strip()
        org = None
        if org_file:
            if not Path(org_file).is_file():
                raise UserError(f"Không có tệp chứng thư số của cơ quan «{org_file}».")
            org = KeySource(org_file, self.org_pin.text())
        return KeySource(cert, self.pin.text()), org

    def edit_settings(self) -> None:
        from danvan_desktop.ui.sign_settings_dialog import SignSettingsDialog

        if self.db is not None:
            SignSettingsDialog(self.db, self).exec()

    def holder_warning(self) -> str:
        """For a .p12 (opened without hardware): a warning when its holder is not the printed signer."""
        from danvan_desktop.services.reporting.pdf_signing import load_p12
        from danvan_desktop.services.reporting.signing_setup import holder_warning

        signer, _org = self.sources()
        if signer.is_token or self.db is None:
            return ""  # a token is opened with its PIN when signing: the warning comes then
        key = load_p12(Path(signer.cert), signer.secret)
        with self.db.session() as session:
            return holder_warning(session, key.holder)

    def accept(self) -> None:
        try:
            self.sources()
            warning = self.holder_warning()
        except UserError as error:
            self.message.setText(error.message)
            return
        if warning and not self.confirmed_holder:
            # Shown once in the dialog; pressing «Ký số» again signs all the same (a deputy may sign).
            self.message.setText(warning + " Bấm «Ký số» lần nữa để vẫn ký.")
            self.confirmed_holder = True
            return
        super().accept()

    confirmed_holder = False


class _FollowEnabled(QObject):
    """The «Ký số» button is usable exactly when «Lưu PDF» is (a fresh preview, nothing running)."""

    def __init__(self, source: QPushButton, target: QPushButton) -> None:
        super().__init__(target)
        self.target = target
        source.installEventFilter(self)
        target.setEnabled(source.isEnabled())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.EnabledChange and isinstance(watched, QPushButton):
            self.target.setEnabled(watched.isEnabled())
        return False


def install_sign_button(dialog: ReportsDialog, row: QHBoxLayout) -> QPushButton:
    """Add «Ký số…» to the Reports screen's row of buttons, after «Lưu PDF…»."""
    button = QPushButton("&Ký số…")
    button.setObjectName("signReport")
    button.setAutoDefault(False)
    button.setToolTip("Ký số báo cáo (chữ ký của người ký, và của cơ quan nếu có) rồi lưu tệp PDF")
    row.insertWidget(row.indexOf(dialog.save_button) + 1, button)
    _FollowEnabled(dialog.save_button, button)
    button.clicked.connect(lambda: sign_report(dialog))
    return button


def sign_report(
    dialog: ReportsDialog, out: Path | None = None, keys: tuple[KeySource, KeySource | None] | None = None
) -> bool:
    """Ask where and with which key, then number, sign and write in the background; False if not started."""
    from danvan_desktop.services.reporting.pdf_signing import sign_pdf
    from danvan_desktop.services.reporting.report_output import issue_report, write_delivery
    from danvan_desktop.services.reporting.signing_setup import (
        holder_warning,
        office_appearance,
        open_keys,
        token_module,
    )
    from danvan_desktop.ui.reports_dialog import suggested_pdf_name

    preview = dialog.preview
    if preview is None:
        dialog._say("Hãy bấm «Xem trước» trước khi ký.", error=True)
        return False
    if preview.report.number is None:
        dialog._say("Văn bản này không có số, không phải văn bản phát hành: không ký số.", error=True)
        return False
    if keys is None:
        asked = SignDialog(dialog, dialog.db)
        if asked.exec() != QDialog.DialogCode.Accepted:
            dialog._say("Đã hủy ký số: không lấy số văn bản.", error=False)
            return False
        keys = asked.sources()
    if out is None:
        suggested = documents_folder() / suggested_pdf_name(preview.report, preview.request)
        name, _ = QFileDialog.getSaveFileName(dialog, "Lưu báo cáo đã ký", str(suggested), "Tệp PDF (*.pdf)")
        if not name:
            dialog._say("Đã hủy ký số: không lấy số văn bản.", error=False)
            return False
        out = Path(name)
    if out.suffix.lower() != ".pdf":
        out = out.with_name(out.name + ".pdf")
    signer, org = keys
    db, target, request = dialog.db, out, preview.request
    dialog._set_busy(True)
    dialog._say(f"Đang ký số và ghi {out.name}…", error=False)

    def work() -> tuple[Path, str]:
        with db.session() as session:
            appearance = office_appearance(session, preview.report.profile_key, request.profiles_dir)
            module = token_module(session, None) if TOKEN in (signer.cert, org.cert if org else "") else None
        with open_keys(signer, org, module) as (signer_key, org_key):
            with db.session() as session:
                warning = holder_warning(session, signer_key.holder) if signer.is_token else ""
            sign = lambda pdf: sign_pdf(pdf, signer_key, appearance, organization=org_key)  # noqa: E731
            issue_report(db, preview.report, request, target.name, write_delivery(target, sign))
        return target, warning

    def done(result: tuple[Path, str]) -> None:
        path, warning = result
        dialog._saved(path)
        text = dialog.message.text().replace("Đã lưu", "Đã ký số và lưu", 1)
        dialog._say(f"{text} Lưu ý: {warning}" if warning else text, error=False)

    run_in_background(work, done, lambda exc: dialog._failed("Chưa ký số được; không lấy số văn bản.", exc))
    return True
