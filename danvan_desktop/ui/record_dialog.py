"""Editing one register record in a dialog: Ctrl+S saves, closing with changes asks first."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping

from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QMessageBox, QVBoxLayout, QWidget

from danvan_desktop.errors import UserError
from danvan_desktop.formspec.model import FormDef
from danvan_desktop.services.entry.entry import FormContext, ValidationFailedError
from danvan_desktop.ui.form_editor import FormEditor
from danvan_desktop.ui.layout_helpers import resize_within_screen
from danvan_desktop.ui.target_lock import install_target_lock

# Called with the editor's values; stores them and returns the record id (raises UserError).
SaveHandler = Callable[[dict[str, object]], str]


def confirm_discard(parent: QWidget) -> bool:
    answer = QMessageBox.question(
        parent,
        "Chưa lưu thay đổi",
        "Có thay đổi chưa được lưu. Bỏ các thay đổi này?",
        QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Discard


class RecordDialog(QDialog):
    def __init__(
        self,
        form: FormDef,
        context: FormContext,
        values: Mapping[str, object],
        save: SaveHandler,
        *,
        title: str,
        read_only_reason: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        resize_within_screen(self, 820, 680)
        self._save = save
        self.saved_id: str | None = None
        self.editor = FormEditor(
            form,
            context.validation,
            context.choices,
            context.units,
            context.organizations,
            parent=self,
            organization_names=context.organization_names,
        )
        self.editor.set_values(values)
        install_target_lock(self.editor, context)  # a Project 05 target from above: chi_tieu fixed
        self.summary = QLabel()
        self.summary.setObjectName("saveSummary")
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("color: #b00020;")
        self.summary.hide()
        # The summary follows the fields as they are corrected, and goes when nothing is left.
        self.editor.values_changed.connect(self._refresh_summary)
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton("Lưu (Ctrl+S)", QDialogButtonBox.ButtonRole.AcceptRole)
        self.close_button = self.buttons.addButton("Đóng", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.try_save)
        self.buttons.rejected.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Save, self, self.try_save)
        if read_only_reason:
            self.editor.set_read_only(True, read_only_reason)
            # Nothing here can be saved: no Save button to wonder about, and Close says why.
            self.save_button.setEnabled(False)
            self.save_button.hide()
            self.close_button.setText("Đóng (chỉ xem)")
        layout = QVBoxLayout(self)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)

    def try_save(self) -> bool:
        if self.editor.is_read_only():
            return False
        issues = self.editor.validate()
        errors = [i for i in issues if i.severity == "error"]
        if errors:
            self._show_summary([i.message for i in errors])
            return False
        try:
            self.saved_id = self._save(self.editor.values())
        except ValidationFailedError as exc:
            self._show_summary([i.message for i in exc.issues if i.severity == "error"])
            return False
        except UserError as exc:
            self._show_summary([exc.message])
            return False
        self.editor.mark_clean()
        self.accept()
        return True

    def _show_summary(self, messages: list[str]) -> None:
        if not messages:
            self.summary.clear()
            self.summary.hide()
            return
        listed = "".join(f"<br>• {html.escape(m)}" for m in messages)
        self.summary.setText(f"Chưa lưu được, còn {len(messages)} lỗi:{listed}")
        self.summary.show()

    def _refresh_summary(self) -> None:
        if not self.summary.isHidden():
            self._show_summary(self.editor.error_messages())

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # What the clerk types right after Ctrl+N goes into the first field, not nowhere.
        if not event.spontaneous() and not self.editor.focus_first_field():
            self.close_button.setFocus()

    def reject(self) -> None:
        if self.editor.dirty and not confirm_discard(self):
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.editor.dirty and not confirm_discard(self):
            event.ignore()
            return
        super().closeEvent(event)
