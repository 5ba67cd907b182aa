"""Report benchmark: the summary return of 23 communes with every form filled, against bare reportlab.

Builds a demo district database (every commune's forms filled through the form rules, as a user
would), then in the same run times, best of --repeat:
- our summary return: reading the data, composing it and laying it out with the profile;
- a bare reportlab document with the same tables (same cells, same registered font, header rows
  repeated) and the same text, built with SimpleDocTemplate and no profile.
Prints both times, the page counts and the ratio. Target: at most 1.3x the bare document.
Usage:
    python bench/report.py [--profile nha_nuoc] [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import shutil
import sys
import tempfile
import time
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.reports.factories

from danvan_desktop import paths
from danvan_desktop.db.engine import open_database
from danvan_desktop.demo.build import build_demo
from danvan_desktop.reports import document as d
from danvan_desktop.reports.fonts import register_fonts
from danvan_desktop.reports.profile import load_profile
from danvan_desktop.reports.render import pdf_bytes
from danvan_desktop.reports.summary_return import build_summary_return
from danvan_desktop.services.office.settings import set_setting
from danvan_desktop.services.reporting import summary_data
from tests.reports.factories import fill_district, settings_for_tests

DATE = dt.date(2024, 1, 15)


def build_database(folder: Path) -> Path:
    path = folder / "district.sqlite3"
    build_demo(path, catalog_dir=paths.catalog_dir(), demo_dir=paths.demo_dir(), records=False).close()
    db = open_database(path)
    with db.transaction() as session:
        for key, value in settings_for_tests().items():
            set_setting(session, key, value)
        fill_district(session)
    db.close()
    return path


def ours(path: Path, profile_name: str) -> tuple[float, int, d.ReportDocument]:
    start = time.perf_counter()
    profile = load_profile(profile_name)
    db = open_database(path)
    with db.session() as session:
        data = summary_data(session, "DH", "2023")
    db.close()
    doc = build_summary_return(data, profile, date=DATE, number=7)
    _pdf, pages = pdf_bytes(doc, profile)
    return time.perf_counter() - start, pages, doc


def bare(doc: d.ReportDocument) -> tuple[float, int]:
    """The same text and tables with plain reportlab: one style, no profile, no letterhead logic."""
    start = time.perf_counter()
    fonts = register_fonts()
    body = ParagraphStyle("b", fontName=fonts.regular, fontSize=14, leading=16.8)
    cell = ParagraphStyle("c", fontName=fonts.regular, fontSize=11, leading=12.6)
    story: list[object] = [Paragraph(doc.summary, body), Spacer(1, 12)]
    for block in (*doc.body, *doc.annex):
        if isinstance(block, d.Paragraph | d.Heading):
            story.append(Paragraph(block.text, body))
        elif isinstance(block, d.Table):
            rows = [[Paragraph(c.label, cell) for c in block.columns]]
            rows += [[Paragraph(t, cell) if len(t) * 5.5 > 60 else t for t in r] for r in block.rows]
            if block.total:
                rows.append(list(block.total))
            table = Table(rows, repeatRows=1)
            table.setStyle(
                [("GRID", (0, 0), (-1, -1), 0.5, "black"), ("FONT", (0, 0), (-1, -1), fonts.regular, 11)]
            )
            story += [Spacer(1, 12), Paragraph(block.title, body), table]
    buffer = io.BytesIO()
    template = SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=30 * mm, rightMargin=15 * mm)
    template.build(story)  # type: ignore[arg-type]
    return time.perf_counter() - start, template.page


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--profile", default="nha_nuoc")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="danvan-bench-report-"))
    try:
        t0 = time.perf_counter()
        path = build_database(folder)
        print(f"database: 23 communes, every form filled ({time.perf_counter() - t0:.1f} s to enter)")
        register_fonts()
        _t, _p, doc = ours(path, args.profile)  # warm-up: imports, font parsing
        bare(doc)
        our_times, bare_times = [], []
        for _ in range(args.repeat):
            t, our_pages, doc = ours(path, args.profile)
            our_times.append(t)
            t, bare_pages = bare(doc)
            bare_times.append(t)
        mine, base = min(our_times), min(bare_times)
        print(f"summary return ({args.profile}): {mine * 1000:.0f} ms, {our_pages} pages (data + layout)")
        print(f"bare reportlab, same tables:   {base * 1000:.0f} ms, {bare_pages} pages")
        print(f"ratio: {mine / base:.2f}x (target <= 1.3x)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
