"""Draw the app icon, resources/icons/danvan.png and the multi-size danvan.ico, with Qt (a dev tool)."""

from __future__ import annotations

import io
import math
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # a dev tool: no screen needed

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QImage,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPolygonF,
)

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "icons"
FONT = ROOT / "resources" / "fonts" / "LiberationSerif-Bold.ttf"  # shipped, so every machine draws the same
PNG_SIZE = 256
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
LETTERS_FROM = 48  # below this the letters are a smudge: the star alone reads better
RED_TOP, RED_BOTTOM = QColor("#da251d"), QColor("#a8141a")
YELLOW = QColor("#ffd83a")


def star(centre: QPointF, radius: float) -> QPolygonF:
    """A five-pointed star, one point up; the inner radius is that of the regular star."""
    inner = radius * math.sin(math.radians(18)) / math.sin(math.radians(126))
    points = []
    for i in range(10):
        r = radius if i % 2 == 0 else inner
        angle = math.radians(-90 + 36 * i)
        points.append(QPointF(centre.x() + r * math.cos(angle), centre.y() + r * math.sin(angle)))
    return QPolygonF(points)


def draw(size: int, family: str) -> QImage:
    """The icon at `size` pixels, drawn for that size rather than scaled down."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = size / 256  # the design is laid out on a 256-pixel grid
    tile = QRectF(8 * s, 8 * s, 240 * s, 240 * s)
    gradient = QLinearGradient(tile.topLeft(), tile.bottomLeft())
    gradient.setColorAt(0, RED_TOP)
    gradient.setColorAt(1, RED_BOTTOM)
    path = QPainterPath()
    path.addRoundedRect(tile, 48 * s, 48 * s)
    painter.fillPath(path, gradient)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(YELLOW)
    if size < LETTERS_FROM:
        painter.drawPolygon(star(QPointF(128 * s, 136 * s), 100 * s))
    else:
        painter.drawPolygon(star(QPointF(128 * s, 100 * s), 66 * s))
        font = QFont(family)
        font.setPixelSize(round(84 * s))
        font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 104)
        painter.setFont(font)
        painter.setPen(YELLOW)
        painter.drawText(QRectF(0, 150 * s, size, 86 * s), Qt.AlignmentFlag.AlignCenter, "DV")
    painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def ico_bytes(images: list[QImage]) -> bytes:
    """A multi-size .ico written by Pillow (a reportlab dependency); Qt writes one size only."""
    from PIL import Image  # a dev-time tool only

    pictures = [Image.open(io.BytesIO(png_bytes(image))) for image in images]
    largest = max(pictures, key=lambda picture: picture.width)
    out = io.BytesIO()
    # Each size drawn on its own (the small ones show the star alone), not scaled from the largest.
    largest.save(
        out,
        format="ICO",
        sizes=[picture.size for picture in pictures],
        append_images=[p for p in pictures if p is not largest],
    )
    return out.getvalue()


def main() -> int:
    app = QGuiApplication(sys.argv[:1])  # noqa: F841 - fonts and painting need the application object
    font_id = QFontDatabase.addApplicationFont(str(FONT))
    if font_id < 0:
        print(f"cannot load {FONT}", file=sys.stderr)
        return 2
    family = QFontDatabase.applicationFontFamilies(font_id)[0]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "danvan.png").write_bytes(png_bytes(draw(PNG_SIZE, family)))
    (OUT / "danvan.ico").write_bytes(ico_bytes([draw(size, family) for size in ICO_SIZES]))
    print(f"wrote {OUT / 'danvan.png'} and {OUT / 'danvan.ico'} ({', '.join(map(str, ICO_SIZES))} px)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
