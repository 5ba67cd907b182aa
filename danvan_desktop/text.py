"""Text normalization: NFC for storage, accent-free folding for search."""

from __future__ import annotations

import unicodedata
from typing import Any

# đ/Đ are separate letters, not d + a combining mark, so NFD alone does not fold them.
# Ð (U+00D0) and ð turn up in text converted from old Vietnamese encodings in place of Đ/đ.
_EXTRA_FOLDS = str.maketrans({"đ": "d", "Đ": "d", "Ð": "d", "ð": "d"})


def nfc(text: str) -> str:
    """Return `text` in Unicode NFC, the only form we store and compare."""
    return unicodedata.normalize("NFC", text)


def nfc_deep(value: Any) -> Any:
    """NFC-normalize every string inside a JSON-like value (dict keys included)."""
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, dict):
        return {nfc_deep(k): nfc_deep(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [nfc_deep(v) for v in value]
    return value


def fold(text: str) -> str:
    """Fold to lower-case ASCII-ish letters so that "dinh hoa" matches "Định Hóa"."""
    decomposed = unicodedata.normalize("NFD", text.translate(_EXTRA_FOLDS))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def matches(query: str, *candidates: str) -> bool:
    """True when every word of the folded query occurs in one of the folded candidates."""
    words = fold(query).split()
    haystack = " ".join(fold(c) for c in candidates)
    return all(w in haystack for w in words)
