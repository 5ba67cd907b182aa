"""The embedded Liberation Serif family (SIL OFL), registered once with reportlab."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from danvan_desktop import paths
from danvan_desktop.errors import UserError

FAMILY = "LiberationSerif"
FACES = {
    (False, False): ("LiberationSerif", "LiberationSerif-Regular.ttf"),
    (True, False): ("LiberationSerif-Bold", "LiberationSerif-Bold.ttf"),
    (False, True): ("LiberationSerif-Italic", "LiberationSerif-Italic.ttf"),
    (True, True): ("LiberationSerif-BoldItalic", "LiberationSerif-BoldItalic.ttf"),
}
_lock = threading.Lock()
_registered: set[str] = set()


@dataclass(frozen=True)
class FontFamily:
    """reportlab names of the four faces of one registered family."""

    regular: str
    bold: str
    italic: str
    bold_italic: str

    def face(self, *, bold: bool = False, italic: bool = False) -> str:
        return {
            (False, False): self.regular,
            (True, False): self.bold,
            (False, True): self.italic,
            (True, True): self.bold_italic,
        }[(bold, italic)]


def fonts_dir() -> Path:
    return paths.fonts_dir()


def register_fonts(folder: Path | None = None) -> FontFamily:
    """Register the family with reportlab (idempotent, thread-safe); text set in it is embedded."""
    folder = folder or fonts_dir()
    with _lock:
        for name, file_name in FACES.values():
            if name in _registered:
                continue
            path = folder / file_name
            if not path.is_file():
                raise UserError(
                    f"Thiếu tệp phông chữ {path}. Hãy cài lại chương trình (thư mục resources/fonts).",
                    detail=f"font file missing: {path}",
                )
            pdfmetrics.registerFont(TTFont(name, str(path)))
            _registered.add(name)
        for (bold, italic), (name, _file) in FACES.items():
            addMapping(FAMILY, 1 if bold else 0, 1 if italic else 0, name)
    return FontFamily(
        *(FACES[key][0] for key in ((False, False), (True, False), (False, True), (True, True)))
    )
