"""The look of a digital signature on the page: signature image, seal and text, drawn as a small PDF."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from danvan_desktop.errors import UserError
from danvan_desktop.reports.fonts import register_fonts
from danvan_desktop.reports.profile import DigitalSignature
from danvan_desktop.text import nfc


@dataclass(frozen=True)
class Rect:
    """A rectangle on a page, lower-left corner and size, in points."""

    x: float
    y: float
    width: float
    height: float


def _info_height(spec: DigitalSignature) -> float:
    return spec.info.size * 1.2 * len(spec.organization_text) + spec.info.size * 0.5


def seal_rect(signer: Rect, spec: DigitalSignature, name_size: float) -> Rect:
    """The organization's signature: the seal over the left third of the signer's, its lines under the name.

    The signer's image is centered in its room, at most two thirds of the room wide, so the seal's
    centre sits at the left third of that width (Phụ lục I: "trùm lên khoảng 1/3" bên trái). The
    organization's name and the time go under the signer's printed name, where the page is free.
    """
    seal = spec.seal_size_mm * mm
    image_width = signer.width * 2 / 3
    centre_x = signer.x + (signer.width - image_width) / 2 + image_width * spec.seal_overlap
    centre_y = signer.y + signer.height / 2
    left = min(centre_x - seal / 2, signer.x)
    bottom = signer.y - name_size * 1.4 - _info_height(spec)
    return Rect(left, bottom, signer.x + signer.width - left, centre_y + seal / 2 - bottom)


def _image(path: Path | None, what: str) -> ImageReader | None:
    if path is None:
        return None
    try:
        return ImageReader(str(path))
    except Exception as exc:  # reportlab/Pillow raise many kinds for a missing or broken image
        raise UserError(
            f"Không đọc được {what} «{path}» (cần tệp ảnh PNG nền trong suốt). "
            "Hãy khai báo lại trong phần Cài đặt.",
            detail=repr(exc),
        ) from exc


def _fitting_size(texts: list[str], face: str, size: float, width: float) -> float:
    """`size`, or smaller so that the longest line fits `width` (a long organization name)."""
    widest = max((stringWidth(t, face, size) for t in texts), default=0)
    return size if widest <= width else max(size * width / widest, 5)


def _fit(reader: ImageReader, width: float, height: float) -> tuple[float, float]:
    iw, ih = reader.getSize()
    scale = min(width / iw, height / ih)
    return iw * scale, ih * scale


def signer_appearance(
    rect: Rect, spec: DigitalSignature, *, signer: str, image: Path | None, time_text: str
) -> bytes:
    """A one-page PDF the size of `rect`: the signature image centered, who signed and when under it."""
    fonts = register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(rect.width, rect.height))
    lines = [nfc(t.format(signer=signer, time=time_text)) for t in spec.signer_text]
    reader = _image(image, "ảnh chữ ký")
    size = _fitting_size(lines, fonts.regular, max(spec.info.size - 3, 6), rect.width)
    if reader is None:  # no image registered: the words alone say that it was signed, and by whom
        size = _fitting_size(lines, fonts.italic, spec.info.size, rect.width)
    text_height = size * 1.15 * len(lines)
    if reader is not None:
        room = min(spec.signer_image_height_mm * mm, rect.height - text_height)
        w, h = _fit(reader, rect.width * 2 / 3, room)
        canvas.drawImage(reader, (rect.width - w) / 2, text_height + (room - h) / 2, w, h, mask="auto")
        canvas.setFont(fonts.regular, size)
        y = text_height - size
    else:
        canvas.setFont(fonts.italic, size)
        y = (rect.height + text_height) / 2 - size
    for line in lines:
        canvas.drawCentredString(rect.width / 2, y, line)
        y -= size * 1.15
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def organization_appearance(
    rect: Rect,
    spec: DigitalSignature,
    *,
    organization: str,
    image: Path | None,
    time_text: str,
    text_centre: float,
) -> bytes:
    """A one-page PDF the size of `rect`: the seal at its top left, the organization's lines at its foot.

    The lines are centered on `text_centre` (from the rect's left edge): under the signer's name.
    """
    fonts = register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(rect.width, rect.height))
    seal = spec.seal_size_mm * mm
    reader = _image(image, "ảnh con dấu")
    if reader is not None:
        w, h = _fit(reader, seal, seal)
        canvas.drawImage(reader, (seal - w) / 2, rect.height - seal + (seal - h) / 2, w, h, mask="auto")
    info = spec.info
    face = fonts.face(bold=info.bold, italic=info.italic)
    lines = [nfc(t.format(organization=organization, time=time_text)) for t in spec.organization_text]
    size = _fitting_size(lines, face, info.size, 2 * min(text_centre, rect.width - text_centre))
    canvas.setFont(face, size)
    y = _info_height(spec) - info.size * 1.2
    for line in lines:
        canvas.drawCentredString(text_centre, y, line)
        y -= size * 1.2
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
