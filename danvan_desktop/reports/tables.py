"""Statistics tables: grid, header row repeated on every page, numbers right-aligned, a bold total."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.platypus import CondPageBreak, Flowable
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import Table as RLTable

from danvan_desktop.reports import document as d
from danvan_desktop.reports.profile import TextStyle
from danvan_desktop.text import nfc

if TYPE_CHECKING:
    from danvan_desktop.reports.render import Layout

PADDING = 3
GRID = 0.5
_ALIGN: dict[str, Literal[0, 1, 2]] = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT}
# Average glyph width of Liberation Serif as a share of the size: a cell that surely fits on one
# line stays a plain string (much cheaper to lay out than a Paragraph).
_GLYPH = 0.5
MIN_START = 110  # points: title, header row and two or three rows


def table_flowables(layout: Layout, block: d.Table, width: float, frame_height: float) -> list[Flowable]:
    """Title and table: a short table stays whole with its title, a long one starts where it is."""
    spec = layout.profile.tables
    title_style = layout.style(spec.title, TA_CENTER)
    header_style = layout.style(spec.header, TA_CENTER)
    header_style.leading = spec.header.size * 1.15
    body = TextStyle(size=spec.size)
    styles = {}
    for key, align in _ALIGN.items():
        styles[key] = layout.style(body, align, name=f"cell-{key}")
        styles[key].leading = spec.size * 1.15
    total_weight = sum(c.width for c in block.columns)
    widths = [width * c.width / total_weight for c in block.columns]
    room = [w - 2 * PADDING for w in widths]

    def cell(text: str, i: int) -> str | RLParagraph:
        text = nfc(text)
        if "\n" not in text and len(text) * spec.size * _GLYPH < room[i]:
            return text
        return RLParagraph(escape(text).replace("\n", "<br/>"), styles[block.columns[i].align])

    data: list[list[str | RLParagraph]] = [
        [RLParagraph(escape(nfc(c.label)), header_style) for c in block.columns]
    ]
    data += [[cell(text, i) for i, text in enumerate(row)] for row in block.rows]
    if block.total is not None:
        data.append([cell(text, i) for i, text in enumerate(block.total)])
    commands: list[Any] = [
        ("GRID", (0, 0), (-1, -1), GRID, "black"),
        ("FONT", (0, 0), (-1, -1), layout.fonts.regular, spec.size, spec.size * 1.15),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    for i, column in enumerate(block.columns):
        commands.append(("ALIGN", (i, 1), (i, -1), column.align.upper()))
    if block.total is not None:
        commands.append(("FONT", (0, -1), (-1, -1), layout.fonts.bold, spec.size, spec.size * 1.15))
    table = RLTable(data, colWidths=widths, repeatRows=1, hAlign="CENTER")
    table.setStyle(commands)
    flowables: list[Flowable] = [RLParagraph(escape(nfc(block.title)), title_style), table]
    if block.note:
        note = layout.style(TextStyle(size=spec.size, italic=True, space_before=3), TA_LEFT)
        flowables.append(RLParagraph(escape(nfc(block.note)), note))
    # A short table (under half a page) starts on a new page unless it fits whole; a long one
    # starts where it is if the title, the header and a few rows fit, and splits from there.
    height = sum(f.wrap(width, frame_height)[1] for f in flowables)
    return [CondPageBreak(height if height <= frame_height / 2 else MIN_START), *flowables]
