"""Read the two libraries the catalog is generated from into plain records (development tool)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path


@dataclass(frozen=True)
class NewWard:
    admin_code: str  # five digits, the statistics office's code
    name: str  # without its kind: "Định Hóa"
    division_type: str  # "xã", "phường", "đặc khu"
    key: str  # vietnamadminunits' key inside its province, "xadinhhoa"


@dataclass
class NewProvince:
    admin_code: str  # two digits
    name: str
    division_type: str  # "tỉnh", "thành phố trung ương"
    key: str  # vietnamadminunits' key, "tinhthainguyen"
    wards: list[NewWard] = field(default_factory=list)
    old_province_keys: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class OldWard:
    admin_code: str
    name: str
    division_type: str  # "Xã", "Phường", "Thị trấn"
    key: str  # "tinhthainguyen_huyendinhhoa_xaphucchu"


@dataclass
class OldDistrict:
    admin_code: str
    name: str
    division_type: str  # "Huyện", "Quận", "Thị xã", "Thành phố"
    key: str  # "tinhthainguyen_huyendinhhoa"
    wards: list[OldWard] = field(default_factory=list)


@dataclass
class OldProvince:
    admin_code: str
    name: str
    division_type: str  # "Tỉnh", "Thành phố"
    key: str
    districts: list[OldDistrict] = field(default_factory=list)


@dataclass(frozen=True)
class Link:
    """Old ward (or ward-less island district) `old_key` went into new ward `new_key` of `province_key`."""

    old_key: str
    province_key: str
    new_key: str
    divided: bool  # the old unit was split between several new ones


@dataclass
class Sources:
    vp_label: str  # "vietnam-provinces 2025.10.1"
    vau_label: str  # "vietnamadminunits 1.0.4"
    new: list[NewProvince]
    old: list[OldProvince]
    links: list[Link]
    disagreements: list[str]


def _label(dist: str) -> str:
    return f"{dist} {metadata.version(dist)}"


def _clean(name: str) -> str:
    """One space between words, a plain hyphen between names: the libraries differ in both."""
    return " ".join(name.replace("–", "-").split())


def _strip_kind(full: str, kinds: tuple[str, ...]) -> str:
    for kind in kinds:
        if full.lower().startswith(kind.lower() + " "):
            return full[len(kind) + 1 :]
    return full


def read_sources() -> Sources:
    import vietnam_provinces
    import vietnamadminunits

    vau_data = Path(vietnamadminunits.__file__).parent / "data"
    nested = json.loads(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8"))
    converter = json.loads((vau_data / "converter_2025.json").read_text(encoding="utf-8"))
    with sqlite3.connect(f"file:{vau_data / 'dataset.db'}?mode=ro", uri=True) as db:
        new_rows = db.execute(
            "SELECT provinceKey, provinceCode, wardKey, wardCode, ward, wardShort, wardType FROM admin_units"
        ).fetchall()
        old_rows = db.execute(
            "SELECT provinceKey, provinceCode, province, provinceShort, districtKey, districtCode, district,"
            " districtShort, districtType, wardKey, wardCode, ward, wardShort, wardType"
            " FROM admin_units_legacy"
        ).fetchall()
    disagreements: list[str] = []
    vau_by_code = {r[3]: r for r in new_rows}
    vau_by_name = {(r[0], r[6].lower(), _clean(r[5])): r for r in new_rows}
    province_key_by_code = {r[1]: r[0] for r in new_rows}
    new: list[NewProvince] = []
    for prov in nested:
        code = f"{prov['code']:02d}"
        pkey = province_key_by_code[code]
        np = NewProvince(code, prov["name"].removeprefix("Thành phố "), prov["division_type"], pkey)
        np.old_province_keys = sorted(converter["DICT_PROVINCE"][pkey])
        for ward in prov["wards"]:
            wcode = f"{ward['code']:05d}"
            kind = ward["division_type"]
            name = _clean(_strip_kind(_clean(ward["name"]), (kind,)))
            if name != _strip_kind(ward["name"], (kind,)):
                disagreements.append(
                    f"«{ward['name']}» ({prov['name']}, mã {wcode}): viết lại thành «{name}» "
                    "(khoảng trắng, gạch nối)"
                )
            # The two libraries number some wards differently: match on the name inside the province
            # first, then on the code, and note every difference.
            row = vau_by_name.get((pkey, kind, name))
            if row is not None and row[3] != wcode:
                disagreements.append(
                    f"{ward['name']} ({prov['name']}): mã {wcode} theo vietnam-provinces, "
                    f"{row[3]} theo vietnamadminunits; dùng mã của vietnam-provinces"
                )
            if row is None:
                row = vau_by_code.get(wcode)
                if row is None or row[0] != pkey:
                    disagreements.append(
                        f"{ward['name']} ({prov['name']}, mã {wcode}): vietnamadminunits không có; "
                        "đơn vị được giữ, không có quan hệ kế thừa"
                    )
                    np.wards.append(NewWard(wcode, name, kind, ""))
                    continue
                disagreements.append(
                    f"mã {wcode} ({prov['name']}): vietnam-provinces «{ward['name']}», "
                    f"vietnamadminunits «{row[4]}»; dùng tên của vietnam-provinces"
                )
            np.wards.append(NewWard(wcode, name, kind, row[2]))
        new.append(np)
    old = _old_provinces(old_rows)
    links = _links(converter)
    return Sources(_label("vietnam-provinces"), _label("vietnamadminunits"), new, old, links, disagreements)


def _old_provinces(rows: list[tuple[str, ...]]) -> list[OldProvince]:
    provinces: dict[str, OldProvince] = {}
    districts: dict[str, OldDistrict] = {}
    for (
        pkey,
        pcode,
        pname,
        pshort,
        dkey,
        dcode,
        _dname,
        dshort,
        dtype,
        wkey,
        wcode,
        _wname,
        wshort,
        wtype,
    ) in rows:
        prov = provinces.get(pkey)
        if prov is None:
            kind = "Thành phố" if pname.startswith("Thành phố") else "Tỉnh"
            prov = provinces[pkey] = OldProvince(pcode, pshort, kind, pkey)
        dist_key = f"{pkey}_{dkey}"
        dist = districts.get(dist_key)
        if dist is None:
            dist = districts[dist_key] = OldDistrict(dcode, dshort, dtype, dist_key)
            prov.districts.append(dist)
        if wkey is not None:  # island districts have no communes
            dist.wards.append(OldWard(wcode, wshort, wtype, f"{dist_key}_{wkey}"))
    return list(provinces.values())


def _links(converter: dict[str, dict[str, dict[str, object]]]) -> list[Link]:
    links: list[Link] = []
    for pkey, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_key, olds in wards.items():
            assert isinstance(olds, list)
            links.extend(Link(str(old).rstrip("_"), pkey, new_key, False) for old in olds)
    for pkey, olds_divided in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, targets in olds_divided.items():
            assert isinstance(targets, list)
            links.extend(Link(old_key, pkey, str(t["newWardKey"]), True) for t in targets)
    return links
