"""Text normalization: NFC for storage, accent-free folding for search."""

from __future__ import annotations

import unicodedata

import pytest

from danvan_desktop.text import fold, matches, nfc, nfc_deep


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def test_nfc_composes_decomposed_text() -> None:
    decomposed = nfd("Định Hóa")
    assert decomposed != "Định Hóa"  # the test input really is different
    assert nfc(decomposed) == "Định Hóa"
    assert unicodedata.is_normalized("NFC", nfc(decomposed))


def test_nfc_keeps_composed_and_ascii_text() -> None:
    assert nfc("Phúc Chu") == "Phúc Chu"
    assert nfc("abc 123") == "abc 123"
    assert nfc("") == ""


def test_nfc_deep_normalizes_keys_values_and_lists() -> None:
    value = {nfd("Hộ gia đình"): [nfd("Nhà văn hóa"), 3, None, (nfd("Xóm"),)], "n": 1.5, "b": True}
    result = nfc_deep(value)
    assert result == {"Hộ gia đình": ["Nhà văn hóa", 3, None, ["Xóm"]], "n": 1.5, "b": True}
    assert all(unicodedata.is_normalized("NFC", k) for k in result)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Định Hóa", "dinh hoa"),
        ("ĐỊNH HÓA", "dinh hoa"),
        ("đ", "d"),
        ("Đ", "d"),
        ("Đồng Thịnh", "dong thinh"),
        ("Điềm Mặc", "diem mac"),
        ("Phượng Tiến", "phuong tien"),
        ("Lam Vỹ", "lam vy"),
        ("Quy Kỳ", "quy ky"),
        ("  Bảo   Cường  ", "bao cuong"),
        ("Thị trấn\tChợ Chu", "thi tran cho chu"),
        ("", ""),
        ("ÐỊNH HÓA", "dinh hoa"),  # U+00D0 from old encodings in place of Đ
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize("text", ["Định Hóa", "Đồng Thịnh", "Bộc Nhiêu", "Phượng Tiến"])
def test_fold_of_nfd_input_equals_fold_of_nfc(text: str) -> None:
    assert fold(nfd(text)) == fold(text)
    assert fold(nfd(text)).isascii()


def test_fold_output_is_ascii_for_every_vietnamese_letter() -> None:
    letters = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"
    for letter in letters + letters.upper():
        assert fold(letter).isascii(), letter
        assert fold(letter) in "aeiouyd", letter


@pytest.mark.parametrize(
    ("query", "candidates"),
    [
        ("dinh hoa", ("Định Hóa",)),
        ("Định Hóa", ("Định Hóa",)),
        ("DINH", ("Định Hóa",)),
        ("hoa dinh", ("Định Hóa",)),  # word order does not matter
        ("phuc chu", ("Xã", "Phúc Chu")),  # words may come from different candidates
        ("chu", ("Phúc Chu",)),
        ("", ("Định Hóa",)),
    ],
)
def test_matches(query: str, candidates: tuple[str, ...]) -> None:
    assert matches(query, *candidates)
    assert matches(nfd(query), *(nfd(c) for c in candidates))


@pytest.mark.parametrize(
    ("query", "candidates"),
    [
        ("dinh bien", ("Định Hóa",)),
        ("dinh hoa x", ("Định Hóa",)),
        ("phuc", ()),
        ("tan", ("Định Hóa", "Phúc Chu")),
    ],
)
def test_does_not_match(query: str, candidates: tuple[str, ...]) -> None:
    assert not matches(query, *candidates)
