"""Lay out a return with reportlab platypus according to a profile and write the PDF atomically."""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm, mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    HRFlowable,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Spacer,
)
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import Table as RLTable

from danvan_desktop import APP_TITLE, __version__
from danvan_desktop.errors import UserError
from danvan_desktop.reports import document as d
from danvan_desktop.reports.charts import bar_chart
from danvan_desktop.reports.fonts import FontFamily, register_fonts
from danvan_desktop.reports.letterhead import (
    NBSP,
    copy_lines,
    fill,
    letterhead_fields,
    number_line,
    place_and_date,
    recipient_lines,
    short_date,
    signature_lines,
)
from danvan_desktop.reports.profile import DocumentProfile, TextLine, TextStyle
from danvan_desktop.reports.tables import table_flowables
from danvan_desktop.text import nfc

RULE_THICKNESS = 0.6
Alignment = Literal[0, 1, 2, 4]  # reportlab's TA_LEFT, TA_CENTER, TA_RIGHT, TA_JUSTIFY


@dataclass(frozen=True)
class SignatureBox:
    """Where the signer signs: 1-based page, lower-left corner and size in points (PDF user space)."""

    page: int
    x: float
    y: float
    width: float
    height: float


class _SignatureSpace(Spacer):
    """The room left for the signature; remembers where it was drawn, so a digital one goes there."""

    def __init__(self, width: float, height: float, found: list[SignatureBox]) -> None:
        super().__init__(width, height)
        self._found = found

    def draw(self) -> None:
        canvas = self.canv
        x, y = canvas.absolutePosition(0, 0)
        # Drawn once, in its final place: KeepTogether may have moved it to the next page first.
        self._found[:] = [SignatureBox(canvas.getPageNumber(), x, y, self.width, self.height)]


class Layout:
    """A profile bound to the registered fonts: styles and the flowables built from them."""

    def __init__(self, profile: DocumentProfile, fonts: FontFamily) -> None:
        self.profile, self.fonts = profile, fonts
        self.signature_box: list[SignatureBox] = []
        margins = profile.page.margins_mm
        self.margins = (margins.top * mm, margins.bottom * mm, margins.left * mm, margins.right * mm)
        self.portrait = A4
        self.landscape = landscape(A4)

    def width(self, *, wide: bool = False) -> float:
        _top, _bottom, left, right = self.margins
        return (self.landscape if wide else self.portrait)[0] - left - right

    def height(self, *, wide: bool = False) -> float:
        top, bottom, _left, _right = self.margins
        return (self.landscape if wide else self.portrait)[1] - top - bottom

    def style(
        self, spec: TextStyle, align: Alignment = TA_CENTER, *, indent: bool = False, name: str = "s"
    ) -> ParagraphStyle:
        return ParagraphStyle(
            name,
            fontName=self.fonts.face(bold=spec.bold, italic=spec.italic),
            fontSize=spec.size,
            leading=spec.size * self.profile.body.leading,
            alignment=align,
            firstLineIndent=self.profile.body.first_line_indent_cm * cm if indent else 0,
            spaceBefore=spec.space_before,
            spaceAfter=spec.space_after,
        )

    def markup(self, spec: TextStyle, text: str) -> str:
        text = escape(nfc(text.upper() if spec.caps else text))
        return f"<u>{text}</u>" if spec.underline else text

    def line(self, spec: TextStyle, text: str, width: float, align: Alignment = TA_CENTER) -> list[Flowable]:
        """A centered line (or block) of text, with the profile's rule under it if it has one."""
        shown = nfc(text.upper() if spec.caps else text)
        flowables: list[Flowable] = [RLParagraph(self.markup(spec, text), self.style(spec, align))]
        if spec.rule:
            face = self.fonts.face(bold=spec.bold, italic=spec.italic)
            text_width = min(stringWidth(shown, face, spec.size), width)
            flowables.append(
                HRFlowable(
                    width=text_width * spec.rule,
                    thickness=RULE_THICKNESS,
                    color="black",
                    hAlign="CENTER",
                    spaceBefore=2.5,
                    spaceAfter=3,
                )
            )
        return flowables

    # ---------------------------------------------------------------------------------- header

    def header(self, doc: d.ReportDocument) -> list[Flowable]:
        spec = self.profile.header
        values = letterhead_fields(self.profile, doc)
        width = self.width(wide=doc.landscape)
        left_w = width * spec.left_width
        widths = [left_w, width - left_w]

        def column(lines: list[TextLine], cell_width: float) -> list[Flowable]:
            cell: list[Flowable] = []
            for line in lines:
                text = fill(line.text, values)
                if text:  # an unset superior body leaves no empty line
                    cell.extend(self.line(line, text, cell_width))
            return cell

        number = number_line(self.profile, doc)  # "" for a type without number: no "Số" line
        rows = [
            [column(spec.left, widths[0]), column(spec.right, widths[1])],
            [
                self.line(spec.number, number, widths[0]) if number else [],
                self.line(spec.date, place_and_date(self.profile, doc), widths[1]),
            ],
        ]
        table = RLTable(rows, colWidths=widths, hAlign="LEFT")
        table.setStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("FONT", (0, 0), (-1, -1), self.fonts.regular),  # reportlab sets it even for flowables
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
        return [table, Spacer(1, spec.space_after)]

    def title(self, doc: d.ReportDocument) -> list[Flowable]:
        profile = self.profile
        width = self.width(wide=doc.landscape)
        flowables = self.line(profile.title, profile.document_types[doc.doc_type].title, width)
        flowables += self.line(profile.summary, doc.summary, width)
        if profile.summary_mark:
            flowables.append(RLParagraph(escape(profile.summary_mark), self.style(profile.summary)))
        return flowables

    # ------------------------------------------------------------------------------------ body

    def paragraphs(self, text: str, indent: bool = True) -> list[Flowable]:
        body = self.profile.body
        spec = TextStyle(size=body.size, space_after=body.paragraph_space)
        style = self.style(spec, TA_JUSTIFY, indent=indent)
        return [RLParagraph(escape(nfc(p.strip())), style) for p in text.splitlines() if p.strip()]

    def heading(self, block: d.Heading) -> Flowable:
        specs = self.profile.headings
        spec = specs[min(block.level, len(specs)) - 1]
        spec = spec.model_copy(
            update={"space_after": max(spec.space_after, self.profile.body.paragraph_space)}
        )
        style = self.style(spec, TA_JUSTIFY, indent=True)
        style.keepWithNext = True
        return RLParagraph(self.markup(spec, block.text), style)

    def signature(self, doc: d.ReportDocument) -> Flowable:
        profile, sig = self.profile, self.profile.signature
        width = self.width(wide=doc.landscape)
        right_w = width * sig.width
        right: list[Flowable] = []
        left: list[Flowable] = []
        if not doc.letterhead.signer_name:
            # A unit's reading copy: its signer only if the office has it, never the office's own.
            unsigned = sig.title_line.model_copy(update={"bold": False, "caps": False, "italic": True})
            right += self.line(unsigned, profile.reading_copy.no_signer, right_w)
        else:
            authority, title = signature_lines(profile, doc.letterhead)
            if authority:
                right += self.line(sig.authority_line, authority, right_w)
            right += self.line(sig.title_line, title, right_w)
            name = self.line(sig.name, doc.letterhead.signer_name, right_w)
            right += [_SignatureSpace(right_w, sig.space_mm * mm, self.signature_box), *name]
        if doc.reading_copy is None:  # the unit's recipients are its own, unknown here
            spec = profile.recipients
            heading = self.markup(spec.heading, spec.heading.text)
            left.append(RLParagraph(heading, self.style(spec.heading, TA_LEFT)))
            item_style = self.style(spec.item, TA_LEFT)
            item_style.leading = spec.item.size * 1.15
            lines = recipient_lines(profile, doc.letterhead)
            left += [RLParagraph(escape(nfc(line)), item_style) for line in lines]
        table = RLTable([[left, right]], colWidths=[width - right_w, right_w], hAlign="LEFT")
        table.setStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (1, 0), (1, 0), "CENTER"),
                ("FONT", (0, 0), (-1, -1), self.fonts.regular),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 12),
            ]
        )
        return table

    def verification_line(self, code: str) -> Flowable:
        """The paper copy's code, small, at the end of the last page: the office above types it in."""
        spec = self.profile.signature.name
        style = ParagraphStyle(
            "verification",
            fontName=self.fonts.face(bold=False, italic=True),
            fontSize=max(spec.size - 3, 9),
            leading=max(spec.size - 3, 9) * 1.3,
            alignment=TA_LEFT,
            spaceBefore=10,
        )
        bold = self.fonts.face(bold=True, italic=False)
        text = (
            f'Mã xác minh bản giấy: <font name="{bold}">{escape(code)}</font> — cơ quan cấp trên nhập mã '
            "này vào Dân Vận Desktop (Báo cáo › Kiểm tra báo cáo đã ký số) để đối chiếu với số liệu đã nhận."
        )
        return RLParagraph(nfc(text), style)

    def annex_heading(self, doc: d.ReportDocument, wide: bool) -> list[Flowable]:
        spec = self.profile.annex
        so_ky_hieu = number_line(self.profile, doc).split(" ", 1)[-1]
        date = short_date(doc.date) if doc.reading_copy is None else self.profile.header.blank_number
        reference = spec.reference.text.format(
            so_ky_hieu=so_ky_hieu, date=date.replace(" ", NBSP), issuing_body=doc.letterhead.issuing_body
        )
        width = self.width(wide=wide)
        flowables = [
            *self.line(spec.title, spec.title.text, width),
            *self.line(spec.reference, reference, width),
        ]
        for flowable in flowables:
            flowable.keepWithNext = True  # never alone at the foot of a page
        return flowables


def _close(text: str, mark: str) -> str:
    """ "... năm 2023./.": the closing mark follows the last word; a final full stop is its own."""
    text = text.rstrip()
    return text + (mark[1:] if mark.startswith(".") and text.endswith(".") else mark)


def _story(layout: Layout, doc: d.ReportDocument) -> list[Flowable]:
    profile = layout.profile
    story: list[Flowable] = [*layout.header(doc), *layout.title(doc)]
    orientation = "landscape" if doc.landscape else "portrait"

    def switch(wanted: str, *, new_page: bool = False) -> None:
        nonlocal orientation
        if wanted != orientation:
            story.extend([NextPageTemplate(wanted), PageBreak()])
            orientation = wanted
        elif new_page:
            story.append(PageBreak())

    def blocks(items: tuple[d.Block, ...], closing: str = "") -> None:
        for i, block in enumerate(items):
            last = closing and i == len(items) - 1
            if isinstance(block, d.Heading):
                story.append(layout.heading(block))
            elif isinstance(block, d.Paragraph):
                story.extend(
                    layout.paragraphs(_close(block.text, closing) if last else block.text, block.indent)
                )
            elif isinstance(block, d.Table):
                wide = doc.landscape or (
                    block.landscape
                    if block.landscape is not None
                    else len(block.columns) >= profile.tables.landscape_columns
                )
                switch("landscape" if wide else "portrait")
                story.extend(
                    table_flowables(layout, block, layout.width(wide=wide), layout.height(wide=wide))
                )
            else:
                story.append(
                    KeepTogether(bar_chart(layout, block, layout.width(wide=orientation == "landscape")))
                )
        if closing and (not items or not isinstance(items[-1], d.Paragraph)):
            story.extend(layout.paragraphs(closing))

    blocks(doc.body, profile.closing_mark)
    # The signature never stands alone on a page: the last lines of the text go with it.
    tail: list[Flowable] = []
    if story and isinstance(story[-1], RLParagraph):
        tail.append(story.pop())
        while story and isinstance(story[-1], RLParagraph) and story[-1].getKeepWithNext():  # type: ignore[no-untyped-call]
            tail.insert(0, story.pop())  # and the headings above them
    story.append(KeepTogether([*tail, layout.signature(doc)]))
    if doc.annex:
        first = doc.annex[0]
        wide = doc.landscape or (
            isinstance(first, d.Table)
            and bool(first.landscape or len(first.columns) >= profile.tables.landscape_columns)
        )
        switch("landscape" if wide else "portrait", new_page=True)
        story.extend(layout.annex_heading(doc, wide))
        blocks(doc.annex)
    if doc.verification_code:
        story.append(layout.verification_line(doc.verification_code))
    return story


def _page_painter(layout: Layout, size: tuple[float, float], mark: tuple[str, str] | None) -> Any:
    """Page numbers in the top margin; a reading copy's mark, boxed, in the bottom margin of every page."""
    spec = layout.profile.page_numbers
    width, height = size
    _top, bottom, left, right = layout.margins

    def paint_mark(canvas: Canvas) -> None:
        assert mark is not None
        style = layout.profile.reading_copy.style
        first, second = mark
        small = style.size * 0.85
        middle = left + (width - left - right) / 2
        y = bottom / 2
        canvas.setFont(layout.fonts.face(bold=style.bold, italic=style.italic), style.size)
        canvas.drawCentredString(middle, y + small * 0.4, first)
        canvas.setFont(layout.fonts.face(bold=False, italic=True), small)
        canvas.drawCentredString(middle, y - small * 0.9, second)
        box = 16 + max(
            stringWidth(first, layout.fonts.face(bold=style.bold, italic=style.italic), style.size),
            stringWidth(second, layout.fonts.face(bold=False, italic=True), small),
        )
        canvas.setLineWidth(RULE_THICKNESS * 1.5)
        canvas.rect(middle - box / 2, y - small * 1.5, box, style.size + small * 2.2)

    def paint(canvas: Canvas, template: BaseDocTemplate) -> None:
        page = canvas.getPageNumber()
        canvas.saveState()
        if mark is not None:
            paint_mark(canvas)
        if page >= spec.from_page:
            canvas.setFont(layout.fonts.regular, spec.size)
            canvas.drawCentredString(width / 2, height - layout.margins[0] / 2 - spec.size / 3, str(page))
        canvas.restoreState()

    return paint


def _templates(layout: Layout, mark: tuple[str, str] | None) -> list[PageTemplate]:
    top, bottom, left, right = layout.margins
    templates = []
    for name, size in (("portrait", layout.portrait), ("landscape", layout.landscape)):
        frame = Frame(left, bottom, size[0] - left - right, size[1] - top - bottom, 0, 0, 0, 0, id=name)
        painter = _page_painter(layout, size, mark)
        templates.append(PageTemplate(id=name, frames=[frame], onPage=painter, pagesize=size))
    return templates


def pdf_bytes(doc: d.ReportDocument, profile: DocumentProfile) -> tuple[bytes, int]:
    """The PDF of `doc` laid out by `profile`, and its page count."""
    data, pages, _box = pdf_with_signature_box(doc, profile)
    return data, pages


def pdf_with_signature_box(
    doc: d.ReportDocument, profile: DocumentProfile
) -> tuple[bytes, int, SignatureBox | None]:
    """The PDF, its page count and where the signer signs (None: a document without a signer)."""
    layout = Layout(profile, register_fonts())
    buffer = io.BytesIO()
    mark = copy_lines(profile, doc)
    templates = _templates(layout, mark)
    if doc.landscape:
        templates.reverse()  # the first template is the first page's
    title = f"{profile.document_types[doc.doc_type].title.capitalize()} {doc.summary}"
    subject = doc.subject or doc.summary
    if mark is not None:  # a viewer's document properties say it too, not only the printed pages
        title, subject = f"{mark[0]}: {title}", f"{mark[0]}. {mark[1]}. {subject}"
    template = BaseDocTemplate(
        buffer,
        pagesize=templates[0].pagesize,
        pageTemplates=templates,
        title=nfc(title),
        author=nfc(doc.letterhead.issuing_body),
        subject=nfc(subject),
        keywords=[nfc(mark[0])] if mark is not None else [],
        creator=f"{APP_TITLE} {__version__}",
        initialFontName=layout.fonts.regular,  # else Helvetica, a font we do not embed, is declared
        lang="vi-VN",
    )
    template.build(_story(layout, doc))
    box = layout.signature_box[0] if layout.signature_box else None
    return buffer.getvalue(), template.page, box


def write_atomically(out: Path, data: bytes) -> None:
    """Write via a temporary file in the same folder, then rename: never a half-written PDF."""
    out = Path(out)
    try:
        handle, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    except OSError as exc:
        raise UserError(
            f"Không ghi được vào thư mục {out.parent}: {exc.strerror}.", detail=repr(exc)
        ) from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UserError(f"Không ghi được tệp {out}: {exc.strerror}.", detail=repr(exc)) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def render_pdf(doc: d.ReportDocument, profile: DocumentProfile, out: Path) -> int:
    """Lay out and write `doc` to `out`; returns the page count."""
    data, pages = pdf_bytes(doc, profile)
    write_atomically(out, data)
    return pages
