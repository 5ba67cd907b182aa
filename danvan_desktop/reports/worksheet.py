"""A working table printed as it is on screen (cross-tab, completeness): title, table, page numbers."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, SimpleDocTemplate
from reportlab.platypus import Paragraph as RLParagraph

from danvan_desktop import APP_TITLE, __version__
from danvan_desktop.reports.document import Table
from danvan_desktop.reports.fonts import register_fonts
from danvan_desktop.reports.profile import TextStyle, load_profile
from danvan_desktop.reports.render import Layout
from danvan_desktop.reports.tables import table_flowables
from danvan_desktop.text import nfc

# Not a return: no letterhead, number or signature, so any office can print it before its settings
# are filled; the State profile only lends its table style.
STYLE_PROFILE = "nha_nuoc"


@dataclass(frozen=True)
class Worksheet:
    title: str  # "Tổng hợp «Đóng góp bằng tiền» theo đơn vị và kỳ"
    subtitle: str  # scope, periods, statistic
    table: Table
    notes: tuple[str, ...] = ()
    printed_on: dt.date | None = None


def worksheet_pdf(sheet: Worksheet) -> tuple[bytes, int]:
    """The PDF of the sheet on landscape A4 pages (fonts embedded), and its page count."""
    layout = Layout(load_profile(STYLE_PROFILE), register_fonts())
    width, height = layout.width(wide=True), layout.height(wide=True)
    top, bottom, left, right = layout.margins
    buffer = io.BytesIO()

    def page_number(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(layout.fonts.regular, 10)
        footer = f"{nfc(sheet.title)} · trang {doc.page}"
        canvas.drawRightString(landscape(A4)[0] - right, bottom / 2, footer)
        canvas.restoreState()

    template = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        topMargin=top,
        bottomMargin=bottom,
        leftMargin=left,
        rightMargin=right,
        title=nfc(sheet.title),
        subject=nfc(sheet.subtitle),
        creator=f"{APP_TITLE} {__version__}",
        initialFontName=layout.fonts.regular,  # else Helvetica, never embedded, is declared
        lang="vi-VN",
    )
    title = layout.style(TextStyle(size=14, bold=True, space_after=2), TA_CENTER)
    sub = layout.style(TextStyle(size=11, italic=True, space_after=6), TA_CENTER)
    note = layout.style(TextStyle(size=10, italic=True, space_before=2), TA_LEFT)
    story: list[Flowable] = [
        RLParagraph(escape(nfc(sheet.title)), title),
        RLParagraph(escape(nfc(sheet.subtitle)), sub),
    ]
    story += table_flowables(layout, sheet.table, width, height)
    story += [RLParagraph(escape(nfc(n)), note) for n in sheet.notes]
    if sheet.printed_on is not None:
        story.append(RLParagraph(f"In ngày {sheet.printed_on.strftime('%d/%m/%Y')}.", note))
    template.build(story, onFirstPage=page_number, onLaterPages=page_number)
    return buffer.getvalue(), template.page
