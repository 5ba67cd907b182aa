"""A register printout: the listed columns of every record, on landscape pages, signed like a return."""

from __future__ import annotations

import datetime as dt

from danvan_desktop.reports import figures as fig
from danvan_desktop.reports.commune_return import period_phrase
from danvan_desktop.reports.document import Column, ReportDocument, Table
from danvan_desktop.reports.model import RegisterData


def _weight(label: str, cells: list[str]) -> float:
    """A column's share of the width, from the length of what it holds (bounded both ways)."""
    longest_word = max((len(w) for w in label.split()), default=1)
    typical = sum(len(c) for c in cells) / len(cells) if cells else 0
    return min(max(typical, longest_word + 3.0, 9.0), 36.0)


def build_register_printout(
    data: RegisterData, *, date: dt.date, number: int | None = None
) -> ReportDocument:
    period = period_phrase(data.scope.period_label)
    columns = (
        Column("STT", 5, "center"),
        *(
            Column(label, _weight(label, [row[i] for row in data.rows]), "right" if numeric else "left")
            for i, (label, numeric) in enumerate(zip(data.columns, data.numeric, strict=True))
        ),
    )
    rows = tuple((fig.count(i), *row) for i, row in enumerate(data.rows, start=1))
    title = f"{data.form_title} - {data.scope.unit_label}, {period}"
    return ReportDocument(
        letterhead=data.letterhead,
        summary=title,
        date=date,
        body=(Table(f"Tổng số: {fig.count(len(rows))} dòng", columns, rows, landscape=True),),
        number=number,
        doc_type="list",
        subject=f"Danh sách: {title}",
        landscape=True,
    )
