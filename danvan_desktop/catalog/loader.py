"""Load catalog YAML files and check them, reporting every problem in Vietnamese."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from pathlib import Path

import yaml
from pydantic import ValidationError

from danvan_desktop.catalog.files import read_bytes
from danvan_desktop.catalog.schema import CatalogFile, UnitEntry
from danvan_desktop.errors import CatalogError

_PYDANTIC_MESSAGES = {
    "missing": "thiếu trường bắt buộc",
    "extra_forbidden": "trường không được phép",
    "date_from_datetime_parsing": "ngày không hợp lệ (dạng YYYY-MM-DD)",
    "date_parsing": "ngày không hợp lệ (dạng YYYY-MM-DD)",
    "date_type": "ngày không hợp lệ (dạng YYYY-MM-DD)",
    "string_pattern_mismatch": "mã chỉ gồm chữ in hoa không dấu, chữ số, '.', '_' hoặc '-'",
    "string_too_short": "không được để trống",
    "enum": "giá trị không nằm trong danh sách cho phép",
    "literal_error": "giá trị không nằm trong danh sách cho phép",
    "int_parsing": "phải là số nguyên",
    "too_short": "danh sách không được rỗng",
}


# libyaml's loader reads the 34 province files about ten times faster than the pure-Python one;
# both are safe loaders (no arbitrary objects), and PyYAML wheels normally carry libyaml.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _TextDateLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """Leaves dates as text: PyYAML's own date building raises a bare ValueError for 2023-02-30,
    while the schema reports it with its location and a Vietnamese reason."""


def _date_as_text(loader: _TextDateLoader, node: yaml.Node) -> str:
    assert isinstance(node, yaml.ScalarNode)
    return str(loader.construct_scalar(node))


_TextDateLoader.add_constructor("tag:yaml.org,2002:timestamp", _date_as_text)


def _describe(error: dict[str, object]) -> str:
    loc = ".".join(str(part) for part in error.get("loc", ()))  # type: ignore[attr-defined]
    reason = _PYDANTIC_MESSAGES.get(str(error.get("type")), str(error.get("msg")))
    return f"{loc}: {reason}"


def parse_catalog_text(text: str, source: str) -> CatalogFile:
    """Parse and schema-check one catalog document; `source` names it in messages."""
    try:
        raw = yaml.load(text, Loader=_TextDateLoader)  # a SafeLoader: no arbitrary objects
    except yaml.YAMLError as exc:
        raise CatalogError(f"Tệp danh mục {source} không đúng định dạng YAML.", [str(exc)]) from exc
    if not isinstance(raw, dict):
        raise CatalogError(f"Tệp danh mục {source} không có nội dung hợp lệ.")
    try:
        return CatalogFile.model_validate(raw)
    except ValidationError as exc:
        problems = [_describe(dict(e)) for e in exc.errors()]
        raise CatalogError(f"Tệp danh mục {source} có {len(problems)} lỗi:", problems) from exc


# Parsed files by the digest of their bytes: a test session creates hundreds of databases from the
# same province file, and parsing it is most of the cost of `init`. Keyed by content, so a changed
# file is always parsed again; callers never mutate the parsed objects.
_PARSED: dict[bytes, CatalogFile] = {}
_PARSED_MAX = 64


def load_catalog_file(path: Path) -> CatalogFile:
    try:
        data = read_bytes(path)
        key = hashlib.sha256(data).digest()
        cached = _PARSED.get(key)
        if cached is not None:
            return cached
        text = data.decode("utf-8")
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise CatalogError(f"Không đọc được tệp danh mục {path}.", [str(exc)]) from exc
    catalog = parse_catalog_text(text, str(path))
    if len(_PARSED) >= _PARSED_MAX:
        _PARSED.clear()
    _PARSED[key] = catalog
    return catalog


def check_consistency(
    catalog: CatalogFile, known_units: Iterable[UnitEntry] = (), source: str = ""
) -> list[str]:
    """Cross-entry checks the schema cannot express; `known_units` come from the database."""
    problems: list[str] = []
    units: dict[str, UnitEntry] = {u.code: u for u in known_units}
    seen: set[str] = set()
    for unit in catalog.units:
        if unit.code in seen:
            problems.append(f"đơn vị {unit.code}: mã bị trùng")
        seen.add(unit.code)
        units[unit.code] = unit
    for unit in catalog.units:
        if unit.valid_to is not None and unit.valid_to < unit.valid_from:
            problems.append(f"đơn vị {unit.code}: ngày hết hiệu lực trước ngày bắt đầu")
        if unit.parent is None:
            continue
        parent = units.get(unit.parent)
        if parent is None:
            problems.append(f"đơn vị {unit.code}: không có đơn vị cấp trên mã {unit.parent}")
        elif not _overlaps(unit, parent):
            problems.append(
                f"đơn vị {unit.code}: thời gian hiệu lực không trùng với đơn vị cấp trên {parent.code}"
            )
    problems.extend(_cycle_problems(units))
    for link in catalog.lineage:
        for code in (link.from_code, link.to_code):
            if code not in units:
                problems.append(f"kế thừa {link.from_code}→{link.to_code}: không có đơn vị {code}")
        target = units.get(link.to_code)
        if target is not None and not _valid_on(target, link.date):
            problems.append(
                f"kế thừa {link.from_code}→{link.to_code}: đơn vị {link.to_code} "
                f"chưa có hiệu lực vào ngày {link.date:%d/%m/%Y}"
            )
    problems.extend(_criteria_problems(catalog))
    codes = [o.code for o in catalog.organizations]
    problems.extend(f"tổ chức {c}: mã bị trùng" for c in sorted({c for c in codes if codes.count(c) > 1}))
    return [f"{source}: {p}" if source else p for p in problems]


def _criteria_problems(catalog: CatalogFile) -> list[str]:
    problems: list[str] = []
    for cset in catalog.criteria_sets:
        numbers = [c.number for g in cset.groups for c in g.criteria]
        if len(numbers) != cset.criteria_count:
            problems.append(
                f"bộ tiêu chí {cset.code}: khai báo {cset.criteria_count} tiêu chí "
                f"nhưng liệt kê {len(numbers)}"
            )
        if sorted(numbers) != list(range(1, len(numbers) + 1)):
            problems.append(f"bộ tiêu chí {cset.code}: số thứ tự tiêu chí phải liên tục từ 1")
    for prog in catalog.programmes:
        for phase in prog.phases:
            if phase.end < phase.start:
                problems.append(
                    f"chương trình {prog.code}: giai đoạn {phase.code} kết thúc trước khi bắt đầu"
                )
    return problems


def _valid_on(unit: UnitEntry, day: dt.date) -> bool:
    return unit.valid_from <= day and (unit.valid_to is None or day <= unit.valid_to)


def _overlaps(a: UnitEntry, b: UnitEntry) -> bool:
    a_end = a.valid_to or dt.date.max
    b_end = b.valid_to or dt.date.max
    return a.valid_from <= b_end and b.valid_from <= a_end


def _cycle_problems(units: dict[str, UnitEntry]) -> list[str]:
    problems = []
    for start in units.values():
        seen = {start.code}
        current = start
        while current.parent is not None and current.parent in units:
            if current.parent in seen:
                problems.append(f"đơn vị {start.code}: cây đơn vị có vòng lặp")
                break
            seen.add(current.parent)
            current = units[current.parent]
    return problems


def load_checked(paths: Iterable[Path], known_units: Iterable[UnitEntry] = ()) -> list[CatalogFile]:
    """Load several catalog files as one (later files may refer to earlier ones' units)."""
    files = [(p, load_catalog_file(p)) for p in paths]
    known = list(known_units)
    problems: list[str] = []
    for path, catalog in files:
        problems.extend(check_consistency(catalog, known, source=path.name))
        known.extend(catalog.units)
    if problems:
        raise CatalogError(f"Danh mục có {len(problems)} lỗi:", problems)
    return [c for _, c in files]
