"""Generate the catalog's province files (resources/catalog/10_units_*.yaml) and their index.

Run from the repository root with the development extras installed:

    .venv/bin/python tools/generate_catalog.py

One units file per province as it is since 1/7/2025, holding that province, its communes and wards,
and the former provinces, districts and communes that went into it, with lineage links dated
2025-07-01. Codes are explained in docs/catalog.md; an existing file's codes are kept (matched by
official code), so re-running after a library update never renames a unit that databases use.
The output is deterministic: the same libraries give byte-identical files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import catalog_thai_nguyen as tn
from catalog_codes import LEGACY_DISTRICTS, child_codes, province_code, slug
from catalog_sources import Link, NewProvince, OldProvince, Sources, read_sources

REFORM = dt.date(2025, 7, 1)
LAST_OLD_DAY = dt.date(2025, 6, 30)
# The libraries say which units existed on 30/6/2025, not since when: former units start on this
# conventional date (the re-establishment of the provinces in 1997), as the first catalog did.
CONVENTIONAL_START = dt.date(1997, 1, 1)
UNITS_PREFIX = "10_units_"

NEW_KINDS = {"xã": "xa", "phường": "phuong", "đặc khu": "dac_khu"}
OLD_WARD_KINDS = {"Xã": "xa", "Phường": "phuong", "Thị trấn": "thi_tran"}
OLD_DISTRICT_KINDS = {"Huyện": "huyen", "Quận": "quan", "Thị xã": "thi_xa", "Thành phố": "thanh_pho"}


@dataclass
class Unit:
    code: str
    name: str
    kind: str
    parent: str | None
    valid_from: dt.date
    valid_to: dt.date | None
    admin_code: str | None
    source: str
    verified: bool = False
    note: str | None = None
    office_name: str | None = None


@dataclass
class LineageLink:
    from_code: str
    to_code: str
    date: dt.date
    kind: str
    source: str
    verified: bool = False


@dataclass
class ProvinceFile:
    province: NewProvince
    code: str
    units: list[Unit] = field(default_factory=list)
    lineage: list[LineageLink] = field(default_factory=list)


def _province_kind(division_type: str) -> str:
    return "thanh_pho_tw" if division_type.lower().startswith("thành phố") else "tinh"


def read_registry(folder: Path) -> dict[tuple[str, str], str]:
    """The codes the shipped files already give, by (era, official code): a unit keeps its code when a
    library update corrects its name, because databases and packages refer to it by code."""
    import yaml

    registry: dict[tuple[str, str], str] = {}
    for path in sorted(folder.glob(f"{UNITS_PREFIX}*.yaml")):
        data = yaml.load(
            path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        )
        for unit in data.get("units") or []:
            if unit.get("admin_code") and unit.get("parent"):
                registry[(_era(unit["kind"], unit["valid_from"]), str(unit["admin_code"]))] = unit["code"]
    return registry


def _era(kind: str, valid_from: dt.date) -> str:
    if kind in OLD_DISTRICT_KINDS.values():
        return "district"
    return "new" if valid_from == REFORM else "old"


class Generator:
    def __init__(self, sources: Sources, registry: dict[tuple[str, str], str] | None = None) -> None:
        self.s = sources
        self.registry = registry or {}
        self.disagreements: list[str] = list(sources.disagreements)
        self.old_by_key = {p.key: p for p in sources.old}
        self.codes_by_key: dict[str, str] = {}  # library key (old or "new:<prov>_<ward>") -> our code

    def _kept(self, era: str, admin_code: str, code: str) -> str:
        return self.registry.get((era, admin_code), code) if admin_code else code

    def build(self) -> list[ProvinceFile]:
        links_by_province: dict[str, list[Link]] = defaultdict(list)
        for link in self.s.links:
            links_by_province[link.province_key].append(link)
        files = [self._province(p, links_by_province[p.key]) for p in self.s.new]
        return sorted(files, key=lambda f: slug(f.province.name))

    def _province(self, prov: NewProvince, links: list[Link]) -> ProvinceFile:
        code = province_code(prov.name)
        pf = ProvinceFile(prov, code)
        olds = [self.old_by_key[k] for k in prov.old_province_keys]
        continuing = [o for o in olds if o.name == prov.name]
        vp, vau = self.s.vp_label, self.s.vau_label
        note = None
        if continuing and continuing[0].admin_code != prov.admin_code:
            note = f"Mã tỉnh cũ {continuing[0].admin_code}; từ 01/07/2025 mã {prov.admin_code}"
        pf.units.append(
            Unit(
                code,
                prov.name,
                _province_kind(prov.division_type),
                None,
                CONVENTIONAL_START if continuing else REFORM,
                None,
                prov.admin_code,
                f"{vp}; {vau}",
                note=note,
                office_name=tn.PROVINCE_OFFICE if code == "TN" else None,
            )
        )
        for old in olds:
            old_code = code if old in continuing else province_code(old.name)
            if old not in continuing:
                kind = "thanh_pho_tw" if old.division_type == "Thành phố" else "tinh"
                pf.units.append(
                    Unit(
                        old_code, old.name, kind, None, CONVENTIONAL_START, LAST_OLD_DAY, old.admin_code, vau
                    )
                )
                pf.lineage.append(LineageLink(old_code, code, REFORM, "merge", vau))
            self._old_units(pf, old, old_code)
        new_codes = child_codes(
            code,
            [(w.key or w.admin_code, w.name, NEW_KINDS[w.division_type], w.admin_code) for w in prov.wards],
            "-",
        )
        for ward in prov.wards:
            wcode = self._kept("new", ward.admin_code, new_codes[ward.key or ward.admin_code])
            if ward.key:
                self.codes_by_key[f"new:{prov.key}_{ward.key}"] = wcode
            pf.units.append(
                Unit(wcode, ward.name, NEW_KINDS[ward.division_type], code, REFORM, None, ward.admin_code, vp)
            )
        self._lineage(pf, links)
        if code == "TN":
            self._thai_nguyen(pf)
        return pf

    def _old_units(self, pf: ProvinceFile, old: OldProvince, pcode: str) -> None:
        vau = self.s.vau_label
        dcodes = child_codes(
            pcode,
            [(d.key, d.name, OLD_DISTRICT_KINDS[d.division_type], d.admin_code) for d in old.districts],
            ".",
        )
        for dist in old.districts:
            dcode = LEGACY_DISTRICTS.get((pcode, dist.name)) or self._kept(
                "district", dist.admin_code, dcodes[dist.key]
            )
            self.codes_by_key[dist.key] = dcode
            pf.units.append(
                Unit(
                    dcode,
                    dist.name,
                    OLD_DISTRICT_KINDS[dist.division_type],
                    pcode,
                    CONVENTIONAL_START,
                    LAST_OLD_DAY,
                    dist.admin_code,
                    vau,
                )
            )
            wcodes = child_codes(
                dcode,
                [(w.key, w.name, OLD_WARD_KINDS[w.division_type], w.admin_code) for w in dist.wards],
                "-",
            )
            for ward in dist.wards:
                wcode = self._kept("old", ward.admin_code, wcodes[ward.key])
                self.codes_by_key[ward.key] = wcode
                pf.units.append(
                    Unit(
                        wcode,
                        ward.name,
                        OLD_WARD_KINDS[ward.division_type],
                        dcode,
                        CONVENTIONAL_START,
                        LAST_OLD_DAY,
                        ward.admin_code,
                        vau,
                    )
                )

    def _lineage(self, pf: ProvinceFile, links: list[Link]) -> None:
        vau = self.s.vau_label
        successors: dict[str, set[str]] = defaultdict(set)
        predecessors: dict[str, set[str]] = defaultdict(set)
        resolved: list[tuple[str, str, bool]] = []
        for link in links:
            old = self.codes_by_key.get(link.old_key)
            new = self.codes_by_key.get(f"new:{link.province_key}_{link.new_key}")
            if old is None or new is None:
                self.disagreements.append(
                    f"{pf.province.name}: vietnamadminunits nối «{link.old_key}» với «{link.new_key}», "
                    "nhưng một trong hai không có trong danh mục; bỏ quan hệ này"
                )
                continue
            resolved.append((old, new, link.divided))
            successors[old].add(new)
            predecessors[new].add(old)
        seen: set[tuple[str, str]] = set()
        for old, new, divided in resolved:
            if (old, new) in seen:
                continue
            seen.add((old, new))
            if divided or len(successors[old]) > 1:
                kind = "split"
            elif len(predecessors[new]) > 1:
                kind = "merge"
            else:
                kind = "rename"
            pf.lineage.append(LineageLink(old, new, REFORM, kind, vau))

    def _thai_nguyen(self, pf: ProvinceFile) -> None:
        """Hand-checked facts: the 2024 changes, and the clauses of Nghị quyết 1683 read in its text."""
        by_code = {u.code: u for u in pf.units}
        by_place = {(u.parent, u.name): u for u in pf.units}
        for item in tn.NQ1240_ABOLISHED:
            code = item.code or f"{item.district}-{''.join(ch for ch in _fold(item.name))}"
            pf.units.append(
                Unit(
                    code,
                    item.name,
                    item.kind,
                    item.district,
                    CONVENTIONAL_START,
                    tn.NQ1240_DATE - dt.timedelta(days=1),
                    None,
                    item.source,
                )
            )
            for target in item.targets:
                to = by_place.get((item.district, target))
                if to is None:
                    self.disagreements.append(
                        f"Thái Nguyên: không tìm thấy {target} ({item.district}) để nối"
                    )
                    continue
                kind = "split" if len(item.targets) > 1 else "merge"
                pf.lineage.append(LineageLink(code, to.code, tn.NQ1240_DATE, kind, item.source))
        for district, name in tn.NQ1240_FORMED:
            unit = by_place[(district, name)]
            unit.valid_from = tn.NQ1240_DATE
            unit.source = f"{unit.source}; ngày thành lập: {tn.NQ1240_PRESS}"
        new_by_name = {u.name: u for u in pf.units if u.parent == "TN" and u.valid_from == REFORM}
        for item in tn.NQ1683_CHECKED:
            unit = new_by_name[item.new_name]
            links = [x for x in pf.lineage if x.to_code == unit.code and x.date == REFORM]
            names = {by_code[x.from_code].name for x in links}
            text_source = f"{tn.NQ1683}, Điều 1 khoản {item.clause}"
            if names != item.old_names:
                self.disagreements.append(
                    f"Thái Nguyên, {unit.name}: {text_source} kể {sorted(item.old_names)}, "
                    f"vietnamadminunits kể {sorted(names)}; giữ dữ liệu thư viện, chưa xác minh"
                )
                continue
            unit.verified = True
            unit.source = f"{text_source}; {unit.source}"
            for x in links:
                x.verified = True
                x.source = f"{text_source}; {x.source}"
        for unit in pf.units:
            if unit.parent == "TN" and unit.valid_from == REFORM and not unit.verified:
                unit.note = "Chưa đối chiếu với văn bản Nghị quyết 1683/NQ-UBTVQH15"


def _fold(name: str) -> str:
    from catalog_codes import fold_code

    return fold_code(name)


# --- output ------------------------------------------------------------------------------------


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar


def _unit_line(u: Unit) -> str:
    parts = [f"code: {u.code}", f"name: {_q(u.name)}", f"kind: {u.kind}"]
    if u.parent:
        parts.append(f"parent: {u.parent}")
    parts.append(f"valid_from: {u.valid_from.isoformat()}")
    if u.valid_to:
        parts.append(f"valid_to: {u.valid_to.isoformat()}")
    if u.admin_code:
        parts.append(f"admin_code: {_q(u.admin_code)}")
    parts.append(f"source: {_q(u.source)}")
    parts.append(f"verified: {'true' if u.verified else 'false'}")
    if u.office_name:
        parts.append(f"office_name: {_q(u.office_name)}")
    if u.note:
        parts.append(f"note: {_q(u.note)}")
    return "  - {" + ", ".join(parts) + "}"


def _link_line(x: LineageLink) -> str:
    return (
        f"  - {{from: {x.from_code}, to: {x.to_code}, date: {x.date.isoformat()}, kind: {x.kind}, "
        f"verified: {'true' if x.verified else 'false'}, source: {_q(x.source)}}}"
    )


def render(pf: ProvinceFile, sources: Sources) -> str:
    p = pf.province
    header = [
        f"# Đơn vị hành chính {p.division_type} {p.name} từ 01/07/2025 và các đơn vị cũ hợp thành.",
        "# Tệp sinh tự động bởi tools/generate_catalog.py; đừng sửa tay (sửa công cụ rồi chạy lại).",
        f"# Nguồn: {sources.vp_label} (tỉnh, xã/phường mới, mã Tổng cục Thống kê);",
        f"#        {sources.vau_label} (tỉnh, huyện, xã cũ ngày 30/06/2025 và quan hệ kế thừa).",
        "# Mã đơn vị (docs/catalog.md): tỉnh = tên không dấu viết liền (TN, BK giữ mã cũ);",
        "#   huyện cũ = mã tỉnh + '.' + tên; xã cũ = mã huyện + '-' + tên;",
        "#   xã/phường/đặc khu mới = mã tỉnh + '-' + tên;",
        "#   tên trùng sau khi bỏ dấu: thêm '.' + loại (XA, PHUONG, TT...) hoặc '.' + mã hành chính.",
        f"# Ngày bắt đầu {CONVENTIONAL_START.isoformat()} của đơn vị cũ là quy ước (thư viện chỉ cho biết",
        "#   đơn vị tồn tại ngày 30/06/2025), trừ các thay đổi đã đối chiếu tay (xem DISAGREEMENTS.md).",
        "# verified: true chỉ khi đã đối chiếu với văn bản nghị quyết; dữ liệu thư viện để verified: false.",
    ]
    lines = [*header, "catalog_version: 1", f"title: {_q(f'Đơn vị hành chính {p.division_type} {p.name}')}"]
    lines.append("units:")
    lines.extend(_unit_line(u) for u in pf.units)
    lines.append("lineage:" if pf.lineage else "lineage: []")
    lines.extend(_link_line(x) for x in sorted(pf.lineage, key=lambda x: (x.to_code, x.from_code)))
    return "\n".join(lines) + "\n"


def index(files: list[ProvinceFile]) -> str:
    """A compact list of every unit for the first-run dialog, which must not parse 34 YAML files.

    Each row: code, name, kind, context (the units above it: "huyện Định Hóa, tỉnh Thái Nguyên"),
    valid_from, valid_to ("" when open), and the number of its province file.
    """
    from danvan_desktop.catalog.kinds import UnitKind

    units = {u.code: u for f in files for u in f.units}

    def context(unit: Unit) -> str:
        labels = []
        parent = units.get(unit.parent) if unit.parent else None
        while parent is not None:
            labels.append(f"{UnitKind(parent.kind).label} {parent.name}")
            parent = units.get(parent.parent) if parent.parent else None
        return ", ".join(labels)

    rows = [
        [
            u.code,
            u.name,
            u.kind,
            context(u),
            u.valid_from.isoformat(),
            u.valid_to.isoformat() if u.valid_to else "",
            i,
        ]
        for i, pf in enumerate(files)
        for u in pf.units
    ]
    data = {
        "columns": ["code", "name", "kind", "context", "valid_from", "valid_to", "file"],
        "files": [f"{UNITS_PREFIX}{slug(f.province.name)}.yaml" for f in files],
        "provinces": [f.province.name for f in files],
        "units": rows,
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def disagreements_text(lines: list[str], sources: Sources) -> str:
    head = f"""# Chỗ các nguồn không khớp nhau

Sinh bởi tools/generate_catalog.py từ {sources.vp_label} và {sources.vau_label}, cùng phần
đối chiếu tay tỉnh Thái Nguyên (tools/catalog_thai_nguyen.py). Mỗi dòng nói nguồn nào nói gì và danh
mục theo bên nào. Những gì chưa đối chiếu được ghi `verified: false` trong tệp danh mục.

## Thái Nguyên: đối chiếu với văn bản

- Nghị quyết 1683/NQ-UBTVQH15: chỉ đọc được toàn văn khoản 1–4 (bản dịch toàn văn đăng lại từ Báo
  Bắc Kạn 17/6/2025); các khoản đó khớp với vietnamadminunits và được ghi `verified: true`. 88 đơn vị
  còn lại giữ `verified: false`.
- Nghị quyết 1240/NQ-UBTVQH15 (hiệu lực 01/12/2024): không đọc được văn bản gốc. Theo bài tường
  thuật của báo Lao Động: Vạn Thọ + Ký Phú → Vạn Phú; một phần Na Mao → Phú Xuyên, phần còn lại →
  Phú Cường; Tân Lợi → thị trấn Trại Cau (huyện Đồng Hỷ). Đoạn về Định Hóa bị cắt: Bảo Cường → Chợ
  Chu là suy ra (vietnamadminunits không còn Bảo Cường ngày 30/6/2025; NQ 1683 kể Định Hóa gồm Chợ
  Chu, Phúc Chu, Bảo Linh, Đồng Thịnh). Bài báo nói 4 huyện có thay đổi; huyện thứ tư chưa biết, nên
  danh sách đơn vị bị giải thể năm 2024 có thể còn thiếu. Tất cả để `verified: false`.
- Danh mục trước đây ghi Bảo Cường hết hiệu lực 30/06/2025 và nhập thẳng vào xã Định Hóa mới; nay
  ghi hết hiệu lực 30/11/2024 và nhập vào thị trấn Chợ Chu (chưa xác minh).
- Tên «Vạn Thọ», «Ký Phú», «Na Mao», «Tân Lợi» lấy từ bài báo viết không dấu; dấu chưa xác minh,
  mã hành chính không có.

## Giữa hai thư viện và trong Thái Nguyên

"""
    return head + "\n".join(f"- {line}" for line in lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("resources/catalog"))
    parser.add_argument(
        "--codes-from", type=Path, default=Path("resources/catalog"), help="files whose codes are kept"
    )
    args = parser.parse_args(argv)
    sources = read_sources()
    gen = Generator(sources, read_registry(args.codes_from))
    files = gen.build()
    codes = Counter(u.code for f in files for u in f.units)
    clashes = sorted(c for c, n in codes.items() if n > 1)
    if clashes:
        print(f"Mã bị trùng: {', '.join(clashes[:20])}", file=sys.stderr)
        return 1
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob(f"{UNITS_PREFIX}*.yaml"):
        old.unlink()
    for pf in files:
        (out / f"{UNITS_PREFIX}{slug(pf.province.name)}.yaml").write_text(
            render(pf, sources), encoding="utf-8"
        )
    (out / "units_index.json").write_text(index(files), encoding="utf-8")
    (out / "DISAGREEMENTS.md").write_text(disagreements_text(gen.disagreements, sources), encoding="utf-8")
    total = sum(len(f.units) for f in files)
    print(f"{len(files)} tệp, {total} đơn vị, {sum(len(f.lineage) for f in files)} quan hệ kế thừa")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
