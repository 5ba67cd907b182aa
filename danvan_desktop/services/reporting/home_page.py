"""The home page of a unit in a period: due returns, completeness, Project 05, NTM, mobilization, models.

An office above communes sees its commune-level units (across the 2025 reform as the summary's rows by
validity: flows from every part of the period, states from the units standing at its end); a commune
sees its villages (its own records, by their «xóm» field). Every figure carries its shares, so the page
can list the units behind it and open their records.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.catalog.kinds import UnitKind, display_name
from danvan_desktop.catalog.periods import PeriodKind
from danvan_desktop.db.models import OrgUnit, Period
from danvan_desktop.errors import UserError
from danvan_desktop.formspec.numbers import format_number
from danvan_desktop.reports.figures import count, percent
from danvan_desktop.services.office.forms import form_registry
from danvan_desktop.services.reporting.common import NTM_MET, labels
from danvan_desktop.services.reporting.completeness import UnitRow, completeness
from danvan_desktop.services.reporting.home_indicators import indicators
from danvan_desktop.services.reporting.home_records import Row, read_unit_rows, summed
from danvan_desktop.services.reporting.home_types import Due, Figure, HomePage, Share, fixed
from danvan_desktop.services.reporting.home_units import (
    Part,
    Span,
    Unit,
    UnitIndex,
    tiles_of,
    wanted_records,
)

GIFTS, MODELS, NTM, P05 = "dong_gop_nhan_dan", "mo_hinh_dan_van_kheo", "tien_do_ntm", "chi_tieu_de_an_05"
YEARS_SHOWN = 6
# (key, field, label, how a value is written)
MOBILIZED: tuple[tuple[str, str, str, Callable[[float], str]], ...] = (
    ("tien", "dong_gop_tien", "Tiền nhân dân đóng góp", lambda v: f"{format_number(round(v), 0)} đồng"),
    ("hien_vat", "hien_vat_quy_doi", "Hiện vật quy đổi", lambda v: f"{format_number(round(v), 0)} đồng"),
    ("dat", "dat_hien", "Đất hiến", lambda v: f"{format_number(v, 1)} m²"),
    ("ngay_cong", "ngay_cong", "Ngày công", lambda v: f"{format_number(v, 1)} ngày công"),
    ("so_ho", "so_ho_tham_gia", "Lượt hộ tham gia", lambda v: f"{count(v)} hộ"),
)
LEVELS = (("tinh", "Công nhận cấp tỉnh"), ("huyen", "Công nhận cấp huyện"), ("xa", "Công nhận cấp xã"))
LEVEL_CODES = frozenset(code for code, _ in LEVELS)
NOT_YET = "Đăng ký, đang thẩm định"
NO_VILLAGE = "Cấp xã (không ghi xóm)"


class _Context:
    """What every section of the page reads: the unit, the span, its parts and where their records are."""

    def __init__(self, session: Session, index: UnitIndex, unit: Unit, span: Span) -> None:
        self.session, self.index, self.unit, self.span = session, index, unit, span
        self.commune = UnitKind(unit.kind).is_commune_level
        self.parts = index.parts(unit.id, span)
        owners = [Part(unit, span.start, span.end, True)] if self.commune else self.parts
        self.tiles = tiles_of(session, owners, [GIFTS, MODELS, P05], span)
        self.owners = owners
        self.villages = {p.unit.code: p.unit for p in self.parts} if self.commune else {}
        self.labels = {p.unit.id: p.label for p in self.parts}
        columns = (Period.id, Period.code, Period.kind, Period.label, Period.start, Period.end)
        self.spans = [Span(*row) for row in session.connection().execute(select(*columns)).all()]
        self.periods = {s.id: s.code for s in self.spans}

    def pairs(self, form_id: str) -> set[tuple[int, int]]:
        return wanted_records(self.tiles, self.owners, form_id)

    def describe(self, unit_id: int) -> tuple[str, str]:
        unit = self.index.unit(unit_id)
        return self.labels.get(unit_id) or unit.label, unit.code

    def share_key(self, row: Row, village_index: int | None) -> tuple[str, str, str]:
        """(label, unit code, search text) of the share a record belongs to."""
        if not self.commune or village_index is None:
            return (*self.describe(row.unit_id), "")
        village = self.villages.get(row.text(village_index))
        if village is None:
            return NO_VILLAGE, self.unit.code, ""
        return village.label, self.unit.code, village.name

    def share(
        self, key: tuple[str, str, str], render: Callable[[], str], value: float, form_id: str, pid: int
    ) -> Share:
        label, code, search = key
        return Share(label, render, value, code, self.periods[pid], form_id, search)


def home_page(session: Session, unit_code: str, period_code: str, *, today: dt.date) -> HomePage:
    """The figures of the page; a clear error for a village or an unknown unit or period."""
    columns = (OrgUnit.id, OrgUnit.kind, OrgUnit.name)
    row = session.execute(select(*columns).where(OrgUnit.code == unit_code.strip().upper())).first()
    period = session.scalar(select(Period).where(Period.code == period_code))
    if row is None or period is None:
        raise UserError(f"Không có đơn vị «{unit_code}» hoặc kỳ báo cáo «{period_code}».")
    if UnitKind(row.kind).is_village_level:
        raise UserError(
            f"{display_name(row.kind, row.name)}: trang tổng quan lập cho xã và các cấp trên; "
            "hãy chọn xã của xóm này."
        )
    # A commune's page lists its own villages; an office's, communes only (no village loaded).
    index = UnitIndex(session, villages_of=row.id if UnitKind(row.kind).is_commune_level else None)
    unit = index.unit(row.id)
    span = Span(period.id, period.code, period.kind, period.label, period.start, period.end)
    ctx = _Context(session, index, unit, span)
    page = HomePage(
        unit.code,
        unit.label,
        span.code,
        span.label,
        "commune" if ctx.commune else "above",
        "xóm, tổ dân phố" if ctx.commune else "xã, phường, thị trấn",
    )
    _completeness(ctx, page, today)
    page.indicators, page.indicators_source = indicators(
        session, unit, span, ctx.pairs(P05), ctx.describe, ctx.periods.__getitem__
    )
    page.ntm_years = _ntm_years(ctx)
    page.mobilized = _mobilized(ctx)
    page.models_by_field, page.models_by_level = _models(ctx)
    if not ctx.commune and any(not p.at_end for p in ctx.parts):
        page.notes.append(
            f"{span.label[:1].upper()}{span.label[1:]} có đơn vị chỉ hiệu lực một phần kỳ: tiền, đất, "
            "ngày công cộng cả hai phần; mô hình và nông thôn mới tính theo đơn vị có hiệu lực cuối kỳ."
        )
    return page


def _sorted(shares: Iterable[Share]) -> tuple[Share, ...]:
    return tuple(sorted(shares, key=lambda s: (-s.value, s.label)))


def _mobilized(ctx: _Context) -> list[Figure]:
    fields = [f for _, f, _, _ in MOBILIZED]
    texts = ["xom"] if ctx.commune else []  # a commune's figures by village, an office's by unit
    rows = summed(ctx.session, GIFTS, ctx.pairs(GIFTS), texts, fields)
    first = len(texts) + 1  # after the grouping texts and the count
    figures = []
    for i, (key, _, label, write) in enumerate(MOBILIZED):
        total = sum(row.number(first + i) for row in rows)
        listing = functools.partial(_mobilized_shares, ctx, rows, first + i, write)
        figures.append(Figure(f"huy_dong.{key}", label, write(total), total, listing))
    return figures


def _mobilized_shares(
    ctx: _Context, rows: list[Row], column: int, write: Callable[[float], str]
) -> tuple[Share, ...]:
    village = 0 if ctx.commune else None
    per: dict[tuple[str, str, str], float] = defaultdict(float)
    period_of: dict[tuple[str, str, str], int] = {}
    for row in rows:
        share_key = ctx.share_key(row, village)
        per[share_key] += row.number(column)
        period_of.setdefault(share_key, row.period_id)
    shares = [ctx.share(k, functools.partial(write, v), v, GIFTS, period_of[k]) for k, v in per.items() if v]
    return _sorted(shares)


def _models(ctx: _Context) -> tuple[list[Figure], list[Figure]]:
    texts = ["linh_vuc", "trang_thai", "cap_cong_nhan"] + (["xom"] if ctx.commune else [])
    rows = [r for r in summed(ctx.session, MODELS, ctx.pairs(MODELS), texts) if r.values[1] != "rut"]
    fields = labels(form_registry()[MODELS], "linh_vuc")
    totals: dict[str, float] = defaultdict(float)
    recognized: dict[str, float] = defaultdict(float)
    for row in rows:
        number = _models_in(row)
        for key in _model_keys(row):
            totals[key] += number
        if row.values[1] == "cong_nhan":
            recognized[f"mo_hinh.linh_vuc.{row.values[0]}"] += number

    def figure(key: str, label: str) -> Figure:
        detail = f"{round(recognized[key])} được công nhận" if key.startswith("mo_hinh.linh_vuc") else ""
        listing = functools.partial(_model_shares, ctx, rows, key)
        return Figure(key, label, count(totals[key]), totals[key], listing, detail)

    by_field = [figure(f"mo_hinh.linh_vuc.{code}", name) for code, name in fields.items()]
    by_level = [figure(f"mo_hinh.cap.{code}", name) for code, name in LEVELS]
    by_level.append(figure("mo_hinh.cap.chua", NOT_YET))
    return by_field, by_level


def _model_keys(row: Row) -> tuple[str, ...]:
    """The figures a group of models counts in: its field, and its level of recognition (or "not yet")."""
    field, status, level = row.values[0], row.values[1], row.values[2]
    if status != "cong_nhan":
        return (f"mo_hinh.linh_vuc.{field}", "mo_hinh.cap.chua")
    if level in LEVEL_CODES:
        return (f"mo_hinh.linh_vuc.{field}", f"mo_hinh.cap.{level}")
    return (f"mo_hinh.linh_vuc.{field}",)


def _models_in(row: Row) -> float:
    """A group's count of models: summed() puts it after the grouping texts, last (no numbers asked)."""
    return float(row.values[-1] or 0)


def _model_shares(ctx: _Context, rows: list[Row], key: str) -> tuple[Share, ...]:
    village = 3 if ctx.commune else None
    per: dict[tuple[str, str, str], list[float]] = {}
    for row in rows:
        if key in _model_keys(row):
            held = per.setdefault(ctx.share_key(row, village), [0.0, row.period_id])
            held[0] += _models_in(row)
    shares = [ctx.share(k, fixed(f"{round(v)} mô hình"), v, MODELS, int(pid)) for k, (v, pid) in per.items()]
    return _sorted(shares)


def _year_spans(ctx: _Context) -> list[Span]:
    years = [s for s in ctx.spans if s.kind == PeriodKind.YEAR.value and s.end <= ctx.span.end]
    return sorted(years, key=lambda s: s.start)[-YEARS_SHOWN:]


def _ntm_years(ctx: _Context) -> list[Figure]:
    """Per year: xã meeting the new-rural standard out of the xã that reported, at the year's end."""
    years = _year_spans(ctx)
    if not years:
        return []
    periods = [
        (s.id, s.start, s.end)
        for s in ctx.spans
        if s.kind != PeriodKind.PHASE.value and years[0].start <= s.start and s.end <= years[-1].end
    ]
    xa_by_year: dict[int, list[Unit]] = {}
    # Every unit under the office in any of the years, walked once; each year then keeps its own.
    pool = ctx.index.below(ctx.unit.id, years[0].start, years[-1].end)
    for year in years:
        if ctx.commune:
            xa_by_year[year.id] = [ctx.unit] if ctx.unit.kind == UnitKind.XA.value else []
        else:
            at_end = ctx.index.standing(ctx.unit.id, year, pool)
            xa_by_year[year.id] = [u for u in at_end if u.kind == UnitKind.XA.value]
    units = {u.id for found in xa_by_year.values() for u in found}
    period_ids = [pid for pid, _, _ in periods]
    rows = read_unit_rows(ctx.session, NTM, units, period_ids, numbers=["so_tieu_chi_dat"], texts=["muc_dat"])
    spans = {pid: (start, end) for pid, start, end in periods}
    year_of = {pid: next(y.id for y in years if y.start <= s and e <= y.end) for pid, (s, e) in spans.items()}
    counted = {y.id: {u.id for u in xa_by_year[y.id]} for y in years}
    latest: dict[tuple[int, int], Row] = {}  # (year, unit): its newest standing inside the year
    for row in rows:
        year_id = year_of[row.period_id]
        if row.unit_id not in counted[year_id]:
            continue
        start, end = spans[row.period_id]
        held = latest.get((year_id, row.unit_id))
        # The period ending last gives the standing; of two ending together, the longer (the year).
        if held is None or (end, end - start) >= (spans[held.period_id][1], _length(spans[held.period_id])):
            latest[year_id, row.unit_id] = row
    level_names = labels(form_registry()[NTM], "muc_dat")
    figures = []
    for year in years:
        xa = xa_by_year[year.id]
        standings = [latest.get((year.id, u.id)) for u in xa]
        reported = sum(standing is not None for standing in standings)
        if not reported:
            continue
        met = sum(standing is not None and standing.text(1) in NTM_MET for standing in standings)
        missing = len(xa) - reported
        detail = f"{missing} xã chưa báo cáo" if missing else ""
        listing = functools.partial(_ntm_shares, ctx, level_names, year, xa, standings)
        # A commune's own bar says its level; an office's, how many of its xã met the standard.
        standing = next(s for s in standings if s is not None) if ctx.commune else None
        level_text = _standing_text(level_names, standing) if standing is not None else ""
        figures.append(
            Figure(
                f"ntm.{year.code}",
                year.code,
                level_text or f"{met}/{reported} xã",
                met,
                listing,
                detail,
                met / reported,
            )
        )
    return figures


def _ntm_shares(
    ctx: _Context,
    level_names: Mapping[str, str],
    year: Span,
    xa: list[Unit],
    standings: list[Row | None],
) -> tuple[Share, ...]:
    # Names with their dates ("Xã Lam Vỹ (từ 1/7/2025)") come from the year's parts, made only now.
    parts = (
        [Part(ctx.unit, year.start, year.end, True)] if ctx.commune else ctx.index.parts(ctx.unit.id, year)
    )
    label_of = {p.unit.id: p.label for p in parts}
    shares = []
    for unit, standing in zip(xa, standings, strict=True):
        label = label_of.get(unit.id, unit.label)
        if standing is None:
            shares.append(Share(label, fixed("Chưa báo cáo"), -1, unit.code, year.code, NTM))
            continue
        good = standing.text(1) in NTM_MET
        render = functools.partial(_standing_text, level_names, standing)
        period = ctx.periods[standing.period_id]
        shares.append(Share(label, render, float(good), unit.code, period, NTM))
    return _sorted(shares)


def _completeness(ctx: _Context, page: HomePage, today: dt.date) -> None:
    forms = form_registry()
    tree = ctx.index.tree(ctx.unit.id, ctx.span.start, ctx.span.end)
    table = completeness(
        ctx.session, ctx.unit.id, [ctx.span.id], list(forms), today, trees={ctx.span.id: tree}
    )
    if not table.periods:
        return
    period = table.periods[0]
    rows = period.reporting_rows()
    done, expected = period.summary()
    missing_units = [r for r in rows if not r.complete()]
    page.complete = Figure(
        "day_du",
        "Đơn vị đã gửi đủ biểu mẫu",
        f"{done}/{expected}",
        done,
        functools.partial(_incomplete_shares, missing_units, ctx.span.code),
        percent(done, expected),
        done / expected if expected else None,
    )
    for form_id, form in forms.items():
        applying = [r for r in rows if r.cells.get(form_id, "not_applicable") != "not_applicable"]
        if not applying:
            continue
        lacking = [r for r in applying if r.cells[form_id] in ("missing", "late")]
        listing = functools.partial(_lacking_shares, lacking, form_id, ctx.span.code)
        page.due.append(Due(form_id, form.title, len(applying) - len(lacking), len(applying), listing))


def _incomplete_shares(rows: list[UnitRow], period_code: str) -> list[Share]:
    return [Share(r.unit_label, fixed(_missing_text(r.cells)), 0, r.unit_code, period_code, "") for r in rows]


def _lacking_shares(rows: list[UnitRow], form_id: str, period_code: str) -> list[Share]:
    return [
        Share(
            r.unit_label,
            fixed("Trễ hạn" if r.cells[form_id] == "late" else "Chưa có"),
            0,
            r.unit_code,
            period_code,
            form_id,
        )
        for r in rows
    ]


def _missing_text(cells: Mapping[str, str]) -> str:
    lacking = [f for f, s in cells.items() if s in ("missing", "late")]
    return f"thiếu {len(lacking)} biểu mẫu" if lacking else ""


def _standing_text(level_names: Mapping[str, str], standing: Row) -> str:
    text = level_names.get(standing.text(1), "")
    return f"{text} ({count(standing.number(0))} tiêu chí)" if standing.values[0] is not None else text


def _length(span: tuple[dt.date, dt.date]) -> dt.timedelta:
    return span[1] - span[0]
