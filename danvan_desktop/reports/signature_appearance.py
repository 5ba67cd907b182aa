"""The look of a digital signature on the page: signature image, seal and text, drawn as a small PDF."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
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


def seal_rect(signer: Rect, spec: DigitalSignature) -> Rect:
    """The organization's signature: the seal over the left third of the signer's, text beside it.

    The signer's image is centered in its room, at most as wide as the room's middle two thirds,
    so the seal's centre sits at the left third of that width (Phụ lục I: "trùm lên khoảng 1/3").
    """
    seal = spec.seal_size_mm * mm
    image_width = signer.width * 2 / 3
    centre_x = signer.x + (signer.width - image_width) / 2 + image_width * spec.seal_overlap
    centre_y = signer.y + signer.height / 2
    return Rect(centre_x - seal / 2, centre_y - seal / 2, signer.x + signer.width - centre_x + seal / 2, seal)


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


def _fit(reader: ImageReader, width: float, height: float) -> tuple[float, float]:
    iw, ih = reader.getSize()
    scale = min(width / iw, height / ih)
    return iw * scale, ih * scale


def signer_appearance(
    rect: Rect, spec: DigitalSignature, *, signer: str, image: Path | None, time_text: str
) -> bytes:
    """A one-page PDF the size of `rect`: the signature image centered, the signer's line under it."""
    fonts = register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(rect.width, rect.height))
    size = max(spec.info.size - 2, 7)
    text = nfc(spec.signer_text.format(signer=signer, time=time_text))
    reader = _image(image, "ảnh chữ ký")
    if reader is not None:
        room = min(spec.signer_image_height_mm * mm, rect.height - size * 1.4)
        w, h = _fit(reader, rect.width * 2 / 3, room)
        canvas.drawImage(reader, (rect.width - w) / 2, rect.height - h, w, h, mask="auto")
        canvas.setFont(fonts.regular, size)
        canvas.drawCentredString(rect.width / 2, size * 0.3, text)
    else:  # no image registered: the words alone say that it was signed, and by whom
        canvas.setFont(fonts.italic, spec.info.size)
        canvas.drawCentredString(rect.width / 2, rect.height / 2, text)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def organization_appearance(
    rect: Rect, spec: DigitalSignature, *, organization: str, image: Path | None, time_text: str
) -> bytes:
    """A one-page PDF the size of `rect`: the seal at its left, the organization's lines beside it."""
    fonts = register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(rect.width, rect.height))
    seal = spec.seal_size_mm * mm
    reader = _image(image, "ảnh con dấu")
    if reader is not None:
        w, h = _fit(reader, seal, seal)
        canvas.drawImage(reader, (seal - w) / 2, (rect.height - h) / 2, w, h, mask="auto")
    info = spec.info
    face = fonts.face(bold=info.bold, italic=info.italic)
    lines = [nfc(t.format(organization=organization, time=time_text)) for t in spec.organization_text]
    leading = info.size * 1.2
    x = seal * (1 - spec.seal_overlap) if reader is not None else 0
    y = leading * (len(lines) - 1) + info.size * 0.3
    canvas.setFont(face, info.size)
    for line in lines:
        canvas.drawString(x, y, line)
        y -= leading
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
