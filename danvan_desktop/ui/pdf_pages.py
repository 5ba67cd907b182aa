"""PDF pages drawn by pypdfium2: images for the preview, and the same pages painted on a printer."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QImage, QPageLayout, QPainter, QPixmap, QResizeEvent
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from danvan_desktop.errors import UserError

PREVIEW_DPI = 110  # drawn a little sharper than the screen, then fitted to the view's width
PRINT_DPI_LIMIT = 300  # sharper costs memory without being visible on paper


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    """Each page's size in points (width, height)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        return [document[i].get_size() for i in range(len(document))]
    finally:
        document.close()


def render_pages(pdf: bytes, dpi: float = PREVIEW_DPI, pages: list[int] | None = None) -> list[QImage]:
    """The pages as images at `dpi`; safe off the UI thread (QImage, not QPixmap)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        images = []
        for index in pages if pages is not None else range(len(document)):
            bitmap = document[index].render(scale=dpi / 72, may_draw_forms=False, prefer_bgrx=True)
            # pdfium's BGRX bytes are Qt's 32-bit RGB on every little-endian machine we ship to
            image = QImage(
                bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride, QImage.Format.Format_RGB32
            )
            if image.isNull():
                raise ValueError(f"page {index + 1} could not be drawn ({bitmap.n_channels} channels)")
            images.append(image.copy())  # the bitmap's memory goes with the document
        return images
    finally:
        document.close()


def print_pdf(pdf: bytes, printer: QPrinter) -> int:
    """Paint every page on `printer`, each in its own orientation, scaled to the paper; page count."""
    sizes = page_sizes(pdf)
    if not sizes:
        return 0
    dpi = min(printer.resolution(), PRINT_DPI_LIMIT)

    def orient(size: tuple[float, float]) -> None:
        wide = size[0] > size[1]
        printer.setPageOrientation(
            QPageLayout.Orientation.Landscape if wide else QPageLayout.Orientation.Portrait
        )

    orient(sizes[0])
    painter = QPainter()
    if not painter.begin(printer):
        raise UserError("Máy in không nhận lệnh in; hãy kiểm tra máy in rồi thử lại.")
    try:
        for index, size in enumerate(sizes):
            if index:
                orient(size)
                printer.newPage()
            image = render_pages(pdf, dpi, [index])[0]
            area = printer.pageLayout().paintRectPixels(printer.resolution())
            target = QRectF(0, 0, area.width(), area.height())
            scaled = image.size().scaled(target.size().toSize(), Qt.AspectRatioMode.KeepAspectRatio)
            target.setSize(scaled.toSizeF())
            painter.drawImage(target, image)
    finally:
        painter.end()
    return len(sizes)


class PageView(QScrollArea):
    """The pages one under another, as in a PDF viewer, on a grey desk."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reportPages")
        self.setWidgetResizable(True)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self._desk = QWidget()
        self._desk.setStyleSheet("background: #8a8f96;")
        self._column = QVBoxLayout(self._desk)
        self._column.setSpacing(12)
        self._column.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.setWidget(self._desk)
        self.labels: list[QLabel] = []
        self.images: list[QImage] = []
        self.show_message("Chọn báo cáo rồi bấm «Xem trước» để xem các trang tại đây.")

    def _clear(self) -> None:
        while self._column.count():
            item = self._column.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.labels, self.images = [], []

    def show_message(self, text: str) -> None:
        self._clear()
        note = QLabel(text)
        note.setWordWrap(True)
        note.setStyleSheet("color: white; font-size: 11pt; padding: 24px;")
        self._column.addWidget(note)

    def show_pages(self, images: list[QImage]) -> None:
        self._clear()
        self.images = images
        for number, _image in enumerate(images, start=1):
            label = QLabel()
            label.setFrameShape(QFrame.Shape.Box)
            label.setStyleSheet("background: white; border: 1px solid #555;")
            label.setToolTip(f"Trang {number}/{len(images)}")
            self._column.addWidget(label, 0, Qt.AlignmentFlag.AlignHCenter)
            self.labels.append(label)
        self._fit()
        self.verticalScrollBar().setValue(0)

    def _fit(self) -> None:
        """Every page as wide as the view allows (never enlarged): a whole page width is always seen."""
        room = max(200, self.viewport().width() - 40)
        for label, image in zip(self.labels, self.images, strict=True):
            width = min(room, image.width())
            label.setPixmap(
                QPixmap.fromImage(
                    image.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
                    if width < image.width()
                    else image
                )
            )

    def resizeEvent(self, event: QResizeEvent) -> None:  # Qt override
        super().resizeEvent(event)
        if self.labels:
            self._fit()
