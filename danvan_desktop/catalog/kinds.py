"""Administrative unit kinds and their Vietnamese names."""

from __future__ import annotations

from enum import StrEnum


class UnitKind(StrEnum):
    TINH = "tinh"
    THANH_PHO_TW = "thanh_pho_tw"
    HUYEN = "huyen"
    THANH_PHO = "thanh_pho"
    THI_XA = "thi_xa"
    QUAN = "quan"
    XA = "xa"
    PHUONG = "phuong"
    THI_TRAN = "thi_tran"
    DAC_KHU = "dac_khu"  # special zone: a commune-level unit since 1/7/2025 (islands)
    XOM = "xom"
    THON = "thon"
    BAN = "ban"
    TO_DAN_PHO = "to_dan_pho"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def is_commune_level(self) -> bool:
        return self in COMMUNE_LEVEL

    @property
    def is_village_level(self) -> bool:
        return self in VILLAGE_LEVEL


_LABELS = {
    UnitKind.TINH: "tỉnh",
    UnitKind.THANH_PHO_TW: "thành phố",
    UnitKind.HUYEN: "huyện",
    UnitKind.THANH_PHO: "thành phố",
    UnitKind.THI_XA: "thị xã",
    UnitKind.QUAN: "quận",
    UnitKind.XA: "xã",
    UnitKind.PHUONG: "phường",
    UnitKind.THI_TRAN: "thị trấn",
    UnitKind.DAC_KHU: "đặc khu",
    UnitKind.XOM: "xóm",
    UnitKind.THON: "thôn",
    UnitKind.BAN: "bản",
    UnitKind.TO_DAN_PHO: "tổ dân phố",
}

COMMUNE_LEVEL = frozenset({UnitKind.XA, UnitKind.PHUONG, UnitKind.THI_TRAN, UnitKind.DAC_KHU})
VILLAGE_LEVEL = frozenset({UnitKind.XOM, UnitKind.THON, UnitKind.BAN, UnitKind.TO_DAN_PHO})


def display_name(kind: str, name: str) -> str:
    """ "Xã Phúc Chu", "Thị trấn Chợ Chu": the kind's label, capitalized, before the name."""
    label = UnitKind(kind).label
    return f"{label[:1].upper()}{label[1:]} {name}"
