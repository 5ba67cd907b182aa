"""The export dialog's «Báo cáo đã ký gửi kèm» row: the office's signed returns sent with its data."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QFormLayout, QHBoxLayout, QLineEdit, QPushButton, QWidget


class ReturnsPicker(QWidget):
    """The signed return PDFs chosen to travel with the package (package format 3); none by default."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.paths: list[Path] = []
        self.shown = QLineEdit()
        self.shown.setObjectName("attachedReturns")
        self.shown.setReadOnly(True)
        self.shown.setPlaceholderText("không gửi kèm (chọn các báo cáo PDF đã ký số của đơn vị)")
        self.choose_button = QPushButton("Chọn…")
        self.choose_button.setAutoDefault(False)
        self.choose_button.clicked.connect(lambda: self.choose())
        self.clear_button = QPushButton("Bỏ")
        self.clear_button.setAutoDefault(False)
        self.clear_button.clicked.connect(lambda: self.set_paths([]))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.shown, 1)
        row.addWidget(self.choose_button)
        row.addWidget(self.clear_button)

    def set_paths(self, paths: list[Path]) -> None:
        self.paths = list(dict.fromkeys(paths))
        self.shown.setText("; ".join(p.name for p in self.paths))
        self.shown.setToolTip("\n".join(str(p) for p in self.paths))

    def choose(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, "Chọn báo cáo đã ký số", "", "Tệp PDF (*.pdf)")
        if names:
            self.set_paths([*self.paths, *(Path(n) for n in names)])


def install_returns_row(form: QFormLayout) -> ReturnsPicker:
    picker = ReturnsPicker()
    form.addRow("Báo cáo đã &ký gửi kèm:", picker)
    return picker
