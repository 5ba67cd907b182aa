"""Project 05 indicators on the home page: the unit's own targets and results, or its units' summed.

Read from `chi_tieu_de_an_05` records (chi_tieu, ket_qua, loai_chi_tieu), whatever set the target. An
office that keeps its own indicator rows shows those; otherwise its units' rows are put together per
indicator: counts add (result against target, % reached from the sums), percentages never average:
they become how many units reached their target ("8/10 đơn vị đạt").
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import NamedTuple

from sqlalchemy.orm import Session

from danvan_desktop.formspec.numbers import format_number
from danvan_desktop.reports.figures import percent
from danvan_desktop.services.reporting.home_records import Row, read_rows
from danvan_desktop.services.reporting.home_types import Indicator, Listing, Share
from danvan_desktop.services.reporting.home_units import Span, Unit

FORM = "chi_tieu_de_an_05"
NUMBERS = ["so_thu_tu", "chi_tieu", "ket_qua"]
TEXTS = ["ten_chi_tieu", "don_vi_tinh", "loai_chi_tieu"]
CAP = "khong_che"  # a ceiling: met when the result stays at or under the target


class _Line(NamedTuple):
    unit_id: int
    period_id: int
    number: int
    target: float | None
    result: float | None

    def met(self, kind: str) -> bool | None:
        if self.target is None or self.result is None:
            return None
        return self.result <= self.target if kind == CAP else self.result >= self.target


def _number(value: float) -> str:
    return format_number(value, 2)


def _with_unit(value: float, unit_word: str) -> str:
    """ "85%" but "8 mô hình": a percent sign is written against the number."""
    return f"{_number(value)}%" if unit_word.strip() == "%" else f"{_number(value)} {unit_word}"


def _line(row: Row) -> _Line:
    target = row.values[1] if isinstance(row.values[1], float) else None
    result = row.values[2] if isinstance(row.values[2], float) else None
    return _Line(row.unit_id, row.period_id, round(row.number(0)) or 999, target, result)


def indicators(
    session: Session,
    unit: Unit,
    span: Span,
    unit_pairs: set[tuple[int, int]],
    describe: Callable[[int], tuple[str, str]],
    period_code: Callable[[int], str],
) -> tuple[list[Indicator], str]:
    """The indicators and where they come from ("chỉ tiêu của đơn vị" or "tổng hợp từ N đơn vị")."""
    both = read_rows(session, FORM, {(unit.id, span.id)} | unit_pairs, NUMBERS, TEXTS)  # one query
    own = [r for r in both if r.unit_id == unit.id and r.period_id == span.id]
    rows = own or [r for r in both if (r.unit_id, r.period_id) in unit_pairs]
    groups: dict[tuple[str, str, str], list[_Line]] = {}
    for row in rows:
        kind = row.text(5) or "phan_dau"
        groups.setdefault((row.text(3), row.text(4), kind), []).append(_line(row))
    found = []
    for (name, unit_word, kind), lines in groups.items():
        shares = functools.partial(_shares, lines, unit_word, kind, describe, period_code)
        number = min(line.number for line in lines)
        if own or (len(lines) == 1 and lines[0].unit_id == unit.id):
            found.append(_own(number, name, unit_word, kind, lines[0], shares))
        elif unit_word.strip() == "%":
            found.append(_shares_met(number, name, unit_word, kind, lines, shares))
        else:
            found.append(_summed(number, name, unit_word, kind, lines, shares))
    found.sort(key=lambda i: (i.number, i.name))
    units = len({line.unit_id for lines in groups.values() for line in lines})
    source = "chỉ tiêu và kết quả của đơn vị" if own else f"tổng hợp từ {units} đơn vị có báo cáo"
    return found, source if found else ""


def _shares(
    lines: list[_Line],
    unit_word: str,
    kind: str,
    describe: Callable[[int], tuple[str, str]],
    period_code: Callable[[int], str],
) -> list[Share]:
    """The units behind an indicator, made when it is clicked."""
    return [_share(line, unit_word, kind, describe, period_code) for line in lines]


def _share(
    line: _Line,
    unit_word: str,
    kind: str,
    describe: Callable[[int], tuple[str, str]],
    period_code: Callable[[int], str],
) -> Share:
    label, code = describe(line.unit_id)

    def render() -> str:
        result = "—" if line.result is None else _number(line.result)
        target = "—" if line.target is None else _number(line.target)
        met = line.met(kind)
        word = "" if met is None else (" — đạt" if met else " — chưa đạt")
        return f"{result}/{target}{'' if unit_word.strip() == '%' else ' '}{unit_word}{word}"

    value = (line.result or 0) / line.target if line.target else 0.0
    return Share(label, render, value, code, period_code(line.period_id), FORM)


def _reached(result: float | None, target: float | None, kind: str) -> tuple[str, float | None, bool | None]:
    if result is None or target is None:
        return "", None, None
    if kind == CAP:
        met = result <= target
        return ("đạt" if met else "vượt mức khống chế"), (1.0 if met else 0.0), met
    if not target:
        return "đạt", 1.0, True
    return percent(result, target), result / target, result >= target


def _own(number: int, name: str, unit_word: str, kind: str, line: _Line, shares: Listing) -> Indicator:
    text, ratio, met = _reached(line.result, line.target, kind)
    target = "" if line.target is None else _with_unit(line.target, unit_word)
    result = "" if line.result is None else _with_unit(line.result, unit_word)
    return Indicator(number, name, unit_word, kind, target, result, text, ratio, met, shares)


def _summed(
    number: int, name: str, unit_word: str, kind: str, lines: list[_Line], shares: Listing
) -> Indicator:
    counted = [line for line in lines if line.target is not None and line.result is not None]
    target = sum(line.target or 0 for line in counted)
    result = sum(line.result or 0 for line in counted)
    text, ratio, met = _reached(result, target, kind) if counted else ("", None, None)
    return Indicator(
        number,
        name,
        unit_word,
        kind,
        _with_unit(target, unit_word) if counted else "",
        _with_unit(result, unit_word) if counted else "",
        text,
        ratio,
        met,
        shares,
    )


def _shares_met(
    number: int, name: str, unit_word: str, kind: str, lines: list[_Line], shares: Listing
) -> Indicator:
    judged = [met for line in lines if (met := line.met(kind)) is not None]
    met_count = sum(judged)
    targets = {line.target for line in lines if line.target is not None}
    target = f"{_number(targets.pop())}%" if len(targets) == 1 else "theo từng đơn vị"
    ratio = met_count / len(judged) if judged else None
    return Indicator(
        number,
        name,
        unit_word,
        kind,
        target,
        f"{met_count}/{len(judged)} đơn vị đạt",
        percent(met_count, len(judged)),
        ratio,
        bool(judged) and met_count == len(judged),
        shares,
    )
