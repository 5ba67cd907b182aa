"""Reading a printed return back with pypdf: text, fonts, metadata, page sizes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pypdf import PdfReader

SUBSET = re.compile(r"^/?[A-Z]{6}\+")


def pages_text(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(path).pages]


def text(path: Path) -> str:
    """The whole text on one line, whitespace collapsed: line and cell wrapping is not content."""
    return " ".join("\n".join(pages_text(path)).split())


def fonts(path: Path) -> list[dict[str, Any]]:
    """Every font dictionary used by the pages (and their tables and forms)."""
    found: dict[int, dict[str, Any]] = {}
    for page in PdfReader(path).pages:
        resources = page.get("/Resources")
        if resources is None:
            continue
        for ref in (resources.get_object().get("/Font") or {}).values():
            found[id(ref.get_object())] = ref.get_object()
    return list(found.values())


def unembedded(path: Path) -> list[str]:
    """Names of fonts that are not embedded TrueType subsets."""
    bad = []
    for font in fonts(path):
        name = str(font.get("/BaseFont"))
        descriptor = font.get("/FontDescriptor")
        embedded = descriptor is not None and "/FontFile2" in descriptor.get_object()
        if font.get("/Subtype") != "/TrueType" or not embedded or not SUBSET.match(name):
            bad.append(name)
    return bad


def landscape_pages(path: Path) -> list[int]:
    reader = PdfReader(path)
    return [i + 1 for i, p in enumerate(reader.pages) if float(p.mediabox.width) > float(p.mediabox.height)]
