"""Charts drawn with reportlab's graphics (vector, same embedded font as the text)."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import BarChart as RLBarChart
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.platypus import Flowable
from reportlab.platypus import Paragraph as RLParagraph

from danvan_desktop.formspec.values import format_number
from danvan_desktop.reports import document as d
from danvan_desktop.text import nfc

if TYPE_CHECKING:
    from danvan_desktop.reports.render import Layout

HEIGHT = 220
LABEL_SIZE = 10
BAR_COLOR = colors.HexColor("#3b6ea5")


def _nice_step(top: float) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if top / step <= 8:
            return step
    return int(10 ** len(str(int(top))))


BAR_PITCH = 15  # points per bar of a horizontal chart
MAX_PLOT_HEIGHT = 380
LABEL_WIDTH = 190  # room for the category labels left of a horizontal chart


def bar_chart(layout: Layout, block: d.BarChart, width: float) -> list[Flowable]:
    """A titled bar chart with the values over the bars, in Vietnamese number format."""
    if block.horizontal:
        return _horizontal(layout, block, width)
    fonts = layout.fonts
    title_style = layout.style(layout.profile.tables.title, TA_CENTER)
    drawing_width = min(int(width), 460)
    drawing = Drawing(drawing_width, HEIGHT)
    # Else the renderer starts in Helvetica, which would be declared in the PDF and never embedded.
    setattr(drawing, "initialFontName", fonts.regular)  # noqa: B010 - not in the type stubs
    setattr(drawing, "initialFontSize", LABEL_SIZE)  # noqa: B010
    chart = VerticalBarChart()
    chart.x, chart.y = 50, 55
    chart.width, chart.height = int(drawing_width) - 70, HEIGHT - 75
    chart.data = [list(block.values)]
    chart.categoryAxis.categoryNames = [nfc(textwrap.fill(label, 20)) for label in block.labels]
    chart.categoryAxis.labels.fontName = fonts.regular
    chart.categoryAxis.labels.fontSize = LABEL_SIZE
    chart.categoryAxis.labels.boxAnchor = "n"
    chart.categoryAxis.labels.dy = -4
    top = max(block.values, default=0.0) or 1.0
    step = _nice_step(top)
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = (int(top / step) + 1) * step
    chart.valueAxis.valueStep = step
    chart.valueAxis.labels.fontName = fonts.regular
    chart.valueAxis.labels.fontSize = LABEL_SIZE
    chart.valueAxis.labelTextFormat = lambda v: format_number(v, 0)
    _bars(layout, chart, block)
    chart.barLabels.nudge = 7
    drawing.add(chart)
    caption = String(drawing_width / 2, 4, nfc(block.value_label), textAnchor="middle")
    caption.fontName, caption.fontSize = fonts.italic, LABEL_SIZE
    drawing.add(caption)
    drawing.hAlign = "CENTER"
    return [RLParagraph(escape(nfc(block.title)), title_style), drawing]


def _bars(layout: Layout, chart: RLBarChart, block: d.BarChart) -> None:
    chart.bars[0].fillColor = BAR_COLOR
    chart.bars[0].strokeColor = None
    if block.bar_texts:
        texts = list(block.bar_texts)
        chart.barLabelFormat = "values"
        chart.barLabelArray = [texts]
    else:
        chart.barLabelFormat = lambda v: format_number(v, block.decimals)
    chart.barLabels.fontName = layout.fonts.bold
    chart.barLabels.fontSize = LABEL_SIZE


def _horizontal(layout: Layout, block: d.BarChart, width: float) -> list[Flowable]:
    """One bar a line, longest labels on the left, the largest at the top."""
    fonts = layout.fonts
    title_style = layout.style(layout.profile.tables.title, TA_CENTER)
    drawing_width = min(int(width), 480)
    # A landscape A4 frame is about 480 points high: the bars close up rather than overflow it.
    pitch = min(BAR_PITCH, MAX_PLOT_HEIGHT / max(len(block.values), 1))
    plot_height = int(pitch * max(len(block.values), 1))
    drawing = Drawing(drawing_width, plot_height + 45)
    setattr(drawing, "initialFontName", fonts.regular)  # noqa: B010 - not in the type stubs
    setattr(drawing, "initialFontSize", LABEL_SIZE)  # noqa: B010
    chart = HorizontalBarChart()
    chart.x, chart.y = LABEL_WIDTH, 30
    chart.width, chart.height = drawing_width - LABEL_WIDTH - 60, plot_height
    # reportlab draws the first category at the bottom: reversed, the list reads from the top.
    chart.data = [list(reversed(block.values))]
    chart.categoryAxis.categoryNames = [nfc(label) for label in reversed(block.labels)]
    chart.categoryAxis.labels.fontName = fonts.regular
    chart.categoryAxis.labels.fontSize = LABEL_SIZE - 1
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    top = max(block.values, default=0.0) or 1.0
    step = _nice_step(top)
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = (int(top / step) + 1) * step
    chart.valueAxis.valueStep = step
    chart.valueAxis.labels.fontName = fonts.regular
    chart.valueAxis.labels.fontSize = LABEL_SIZE - 1
    chart.valueAxis.labelTextFormat = lambda v: format_number(v, block.decimals)
    chart.barWidth = int(pitch * 0.6)
    if block.bar_texts:
        block = d.BarChart(block.title, block.labels, block.values, block.value_label,
                           tuple(reversed(block.bar_texts)), True, block.decimals)  # fmt: skip
    _bars(layout, chart, block)
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    caption = String(drawing_width / 2, 4, nfc(block.value_label), textAnchor="middle")
    caption.fontName, caption.fontSize = fonts.italic, LABEL_SIZE
    drawing.add(caption)
    drawing.hAlign = "CENTER"
    return [RLParagraph(escape(nfc(block.title)), title_style), drawing]
