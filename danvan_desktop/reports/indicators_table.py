"""Project 05 in a return: each indicator's plan, result, share reached and assessment, and charts."""

from __future__ import annotations

from collections.abc import Sequence

from danvan_desktop.formspec.values import format_number
from danvan_desktop.reports import figures as fig
from danvan_desktop.reports.document import BarChart, Column, Table
from danvan_desktop.reports.model import IndicatorRow

TITLE = "Kết quả thực hiện các chỉ tiêu Đề án 05-ĐA/TU"
PER_UNIT = "Theo đơn vị"
PER_UNIT_NOTE = (
    "Chỉ tiêu tính bằng tỷ lệ (%) không cộng giữa các đơn vị: đánh giá theo số đơn vị đạt chỉ tiêu của mình."
)
ASSIGNED_NOTE = "(**) Chỉ tiêu kế hoạch do cấp trên giao."
RESTRICTIVE_NOTE = (
    "(*) Chỉ tiêu khống chế: đạt khi kết quả không vượt mức đề ra; tỷ lệ là kết quả so với mức khống chế."
)


def _figure(value: float | None) -> str:
    if value is None:
        return ""
    if float(value).is_integer():
        return format_number(value, 0)
    return format_number(value, 2).rstrip("0").rstrip(",")  # 92,50 -> 92,5


def indicators_table(rows: Sequence[IndicatorRow], *, units_label: str = "") -> Table:
    """The table; `units_label` ("Số xã đạt") adds how many units below reached each indicator."""
    columns = [
        Column("STT", 0.55, "center"),
        Column("Chỉ tiêu", 3.3),
        Column("Đơn vị tính", 0.8, "center"),
        Column("Kế hoạch", 0.85, "right"),
        Column("Thực hiện", 0.85, "right"),
        Column("Tỷ lệ đạt", 0.85, "right"),
        Column("Đánh giá", 1.15, "center"),
    ]
    if units_label:
        columns.append(Column(units_label, 0.8, "center"))
    body = []
    for i, row in enumerate(rows, start=1):
        share = fig.percent(row.result, row.target) if row.result is not None and row.target else ""
        cells = [
            fig.count(row.number if row.number is not None else i),
            row.name + (" (*)" if row.restrictive else ""),
            row.unit,
            _figure(row.target) + (" (**)" if row.assigned else ""),
            _figure(row.result),
            share,
            PER_UNIT if _per_unit(row) else row.assessment,
        ]
        if units_label:
            cells.append(fig.ratio(*row.units_reached) if row.units_reached else "")
        body.append(tuple(cells))
    reached = [r for r in rows if r.reached is not None]
    total: tuple[str, ...] | None = None
    if reached:
        count = sum(1 for r in reached if r.reached)
        total = ("", f"Số chỉ tiêu đạt và vượt: {fig.ratio(count, len(reached))}", "", "", "", "", "")
        total += ("",) if units_label else ()
    notes = [RESTRICTIVE_NOTE] if any(r.restrictive for r in rows) else []
    notes += [PER_UNIT_NOTE] if any(_per_unit(r) for r in rows) else []
    notes += [ASSIGNED_NOTE] if any(r.assigned for r in rows) else []
    return Table(TITLE, tuple(columns), tuple(body), total, " ".join(notes), landscape=False)


def _per_unit(row: IndicatorRow) -> bool:
    """A share put together from units: no figure of its own, only how many units reached theirs."""
    return row.target is None and row.result is None and row.units_reached is not None


def share_chart(rows: Sequence[IndicatorRow]) -> BarChart | None:
    """Result as a share of the plan for each indicator that has both (a reader sees the short ones)."""
    shown = [r for r in rows if r.reached is not None and r.target and not r.restrictive]
    if len(shown) < 2:
        return None
    values = tuple(round((r.result or 0) / (r.target or 1) * 100, 1) for r in shown)
    return BarChart(
        "Tỷ lệ thực hiện so với kế hoạch các chỉ tiêu Đề án 05-ĐA/TU",
        tuple(_short(r) for r in shown),
        values,
        "Tỷ lệ thực hiện so với kế hoạch (%), chỉ tiêu phấn đấu",
        tuple(fig.percent(r.result or 0, r.target or 1) for r in shown),
        horizontal=True,
    )


def _short(row: IndicatorRow, limit: int = 44) -> str:
    label = f"{row.number}. {row.name}" if row.number is not None else row.name
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"
