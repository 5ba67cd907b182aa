"""The catalog's unit codes: readable, nationally unique, derived the same way on every run."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict

# Codes that existed before the generator and stay exactly as they are (saved databases use them).
LEGACY_PROVINCES = {"Thái Nguyên": "TN", "Bắc Kạn": "BK"}
LEGACY_DISTRICTS = {("TN", "Định Hóa"): "DH"}

_KIND_WORDS = {
    "xa": "XA",
    "phuong": "PHUONG",
    "thi_tran": "TT",
    "dac_khu": "DK",
    "quan": "QUAN",
    "huyen": "HUYEN",
    "thi_xa": "TX",
    "thanh_pho": "TP",
}


def fold_code(name: str) -> str:
    """ "Định Hóa" -> "DINHHOA": letters and digits only, no accents, upper case."""
    text = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^A-Z0-9]", "", text.upper())


def slug(name: str) -> str:
    """ "Thái Nguyên" -> "thai_nguyen", for file names."""
    text = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def name_part(name: str, kind: str) -> str:
    """The folded name; a bare number ("Phường 1") keeps its kind word so the code still reads."""
    folded = fold_code(name)
    if not folded or folded.isdigit():
        return _KIND_WORDS.get(kind, kind.upper()) + folded
    return folded


def province_code(name: str) -> str:
    return LEGACY_PROVINCES.get(name) or fold_code(name)


def child_codes(parent: str, children: list[tuple[str, str, str, str]], sep: str) -> dict[str, str]:
    """Codes for the children of one parent: parent + sep + folded name.

    `children` holds (key, name, kind, admin_code). Siblings whose names fold alike ("Văn Lang" and
    "Vân Lang", or a xã and a thị trấn of one name) get their kind appended when that tells them
    apart, else their official code.
    """
    base = {key: f"{parent}{sep}{name_part(name, kind)}" for key, name, kind, _ in children}
    groups: dict[str, list[tuple[str, str, str, str]]] = defaultdict(list)
    for child in children:
        groups[base[child[0]]].append(child)
    codes: dict[str, str] = {}
    for code, members in groups.items():
        kinds = [kind for _, _, kind, _ in members]
        for key, _name, kind, admin_code in members:
            if len(members) == 1:
                codes[key] = code
            elif len(set(kinds)) == len(kinds):
                codes[key] = f"{code}.{_KIND_WORDS.get(kind, kind.upper())}"
            else:
                codes[key] = f"{code}.{admin_code}"
    if len(set(codes.values())) != len(codes):
        raise ValueError(f"codes clash under {parent}")
    return codes
