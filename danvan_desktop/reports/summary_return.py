"""The summary return of an aggregating office: key figures as the province writes them, and annexes."""

from __future__ import annotations

import datetime as dt

from danvan_desktop.formspec.numbers import format_number
from danvan_desktop.reports import figures as fig
from danvan_desktop.reports.commune_return import narrative_blocks, organizations_table, period_phrase
from danvan_desktop.reports.document import BarChart, Block, Column, Paragraph, ReportDocument, Table
from danvan_desktop.reports.indicators_table import indicators_table, share_chart
from danvan_desktop.reports.letterhead import unit_letterhead
from danvan_desktop.reports.model import SummaryData
from danvan_desktop.reports.profile import DocumentProfile

SUMMARY = "Tổng hợp kết quả công tác dân vận {period}"


def overview(data: SummaryData, profile: DocumentProfile) -> str:
    """The paragraph of key figures: "16/22 xã đạt chuẩn...", "gần 2 tỷ đồng", "231 mô hình..."."""
    phrases = profile.phrases
    communes = data.communes
    return phrases.overview.format(
        unit=period_phrase(data.scope.unit_label),
        period=data.scope.period_label,
        ntm=phrases.ntm.format(num=fig.count(data.ntm_ratio()[0]), den=fig.count(data.ntm_ratio()[1])),
        money=fig.approximate_money(phrases.money, data.money()),
        land=fig.area(sum(c.land for c in communes)),
        labour=fig.area(sum(c.labour for c in communes)),
        houses=phrases.cultural_houses.format(
            num=fig.count(data.houses_ratio()[0]), den=fig.count(data.houses_ratio()[1])
        ),
        models=phrases.models.format(count=fig.count(data.model_count())),
    )


def completeness(data: SummaryData) -> str:
    sent = [c for c in data.communes if not c.missing_forms]
    late = [c for c in data.communes if c.missing_forms]
    text = f"Số đơn vị đã gửi đủ số liệu: {fig.ratio(len(sent), len(data.communes))}."
    if late:
        text += " Chưa gửi đủ: " + ", ".join(c.label for c in late) + " (chi tiết tại phụ lục)."
    return text


def _indicator_table(data: SummaryData, profile: DocumentProfile) -> Table:
    money = profile.tables.money_unit
    rows: list[tuple[str, ...]] = []
    group = ""
    blank = ("",) * 11
    for i, c in enumerate(data.communes, start=1):
        if c.group and c.group != group:  # a heading row: old and new units never mix unlabelled
            group = c.group
            rows.append(("", f"{group}:", *blank))
        rows.append(
            (
                fig.count(i),
                c.label,
                fig.count(c.villages),
                fig.count(c.houses_built),
                fig.count(c.households),
                fig.money(profile, c.cash + c.in_kind),
                fig.area(c.land),
                fig.area(c.labour),
                fig.count(c.models),
                "" if c.criteria_met is None else fig.count(c.criteria_met),
                "x" if c.ntm_met else "",
                fig.percent(c.members, c.eligible),
                fig.ratio(c.resolved, c.petitions) if c.petitions else "",
            )
        )
    cs, end = data.communes, data.at_end()  # flows from every row, states from the units at the end
    ntm_num, ntm_den = data.ntm_ratio()
    total = (
        "",
        "Toàn " + data.scope.unit_label.split(" ", 1)[0].lower(),
        fig.count(sum(c.villages for c in end)),
        fig.ratio(*data.houses_ratio()),
        fig.count(sum(c.households for c in cs)),
        fig.money(profile, data.money()),
        fig.area(sum(c.land for c in cs)),
        fig.area(sum(c.labour for c in cs)),
        fig.count(data.model_count()),
        criteria_mean(data),
        fig.ratio(ntm_num, ntm_den),
        fig.percent(sum(c.members for c in end), sum(c.eligible for c in end)),
        fig.ratio(sum(c.resolved for c in cs), sum(c.petitions for c in cs)),
    )
    columns = (
        Column("STT", 0.45, "center"),
        Column("Đơn vị", 1.7),
        Column("Số xóm", 0.7, "right"),
        Column("Nhà văn hóa xây mới, mở rộng", 1, "right"),
        Column("Hộ đóng góp", 0.8, "right"),
        Column(f"Nhân dân đóng góp ({money})", 1, "right"),
        Column("Đất hiến (m²)", 0.9, "right"),
        Column("Ngày công", 0.8, "right"),
        Column("Mô hình dân vận khéo", 0.9, "right"),
        Column("Tiêu chí NTM đã đạt", 0.8, "right"),
        Column("Đạt chuẩn NTM", 0.7, "center"),
        Column("Tỷ lệ tập hợp hội viên", 0.9, "right"),
        Column("Kiến nghị đã giải quyết", 0.9, "right"),
    )
    note = ""
    if len(end) < len(cs):
        note = (
            "Dòng cộng: số liệu phát sinh trong kỳ cộng tất cả các dòng; số xóm, nhà văn hóa, mô hình, "
            "đạt chuẩn nông thôn mới và tỷ lệ tập hợp hội viên chỉ tính các đơn vị có hiệu lực cuối kỳ."
        )
    title = "Kết quả chủ yếu theo đơn vị"
    if data.structure_label:
        title += f" ({data.structure_label})"
    return Table(title, columns, tuple(rows), total, note, landscape=True)


def criteria_mean(data: SummaryData) -> str:
    """ "BQ 15,2": NTM criteria met per xã standing at the end; the form marks the score `aggregate: mean`,
    a sum of scores being no number of anything."""
    scores = [c.criteria_met for c in data.at_end() if c.is_xa and c.criteria_met is not None]
    return f"BQ {format_number(sum(scores) / len(scores), 1)}" if scores else ""


def _folded_table(data: SummaryData) -> Table:
    return Table(
        "Đơn vị hành chính mới và các đơn vị cũ được quy đổi vào",
        (Column("STT", 0.45, "center"), Column("Đơn vị mới", 1.6), Column("Gồm số liệu của", 4.5)),
        tuple((fig.count(i), new, old) for i, (new, old) in enumerate(data.folded, start=1)),
        landscape=False,
    )


MOST_CONTRIBUTIONS = 25  # bars in the contributions chart; a province lists its largest only


def contributions_chart(data: SummaryData, profile: DocumentProfile) -> BarChart | None:
    """People's money (cash and in kind) by unit, largest first: who mobilized most is seen at once."""
    rows = sorted((c for c in data.communes if c.cash + c.in_kind), key=lambda c: -(c.cash + c.in_kind))
    if len(rows) < 2:
        return None
    shown = rows[:MOST_CONTRIBUTIONS]
    factor = float(profile.tables.money_factor)
    title = "Nhân dân đóng góp tiền và hiện vật theo đơn vị"
    if len(rows) > len(shown):
        title += f" ({len(shown)} đơn vị đóng góp nhiều nhất)"
    return BarChart(
        title,
        tuple(c.label for c in shown),
        tuple((c.cash + c.in_kind) / factor for c in shown),
        f"Tiền và hiện vật quy đổi ({profile.tables.money_unit})",
        tuple(fig.money(profile, c.cash + c.in_kind) for c in shown),
        horizontal=True,
    )


def ntm_chart(data: SummaryData) -> BarChart | None:
    """Xã meeting the new-rural standard year after year (with "16/22"): only over two years or more."""
    years = data.ntm_years
    if len(years) < 2:
        return None
    return BarChart(
        "Số xã đạt chuẩn nông thôn mới qua các năm",
        tuple(y for y, _, _ in years),
        tuple(float(met) for _, met, _ in years),
        "Số xã đạt chuẩn (đạt chuẩn, nâng cao, kiểu mẫu) trên số xã có báo cáo",
        tuple(fig.ratio(met, total) for _, met, total in years),
    )


def annex(data: SummaryData, profile: DocumentProfile) -> list[Block]:
    tables: list[Block] = [_indicator_table(data, profile)]
    if data.folded:
        tables.append(_folded_table(data))
    money = contributions_chart(data, profile)
    if money is not None:
        tables.append(money)
    if data.indicators:
        tables.append(indicators_table(data.indicators, units_label="Số đơn vị đạt"))
        share = share_chart(data.indicators)
        if share is not None:
            tables.append(share)
    years = ntm_chart(data)
    if years is not None:
        tables.append(years)
    models = data.models
    tables.append(
        BarChart(
            'Mô hình "Dân vận khéo" theo lĩnh vực',
            models.rows,
            tuple(float(models.get(r, models.columns[0])) for r in models.rows),
            "Số mô hình, điển hình (không kể rút đăng ký)",
        )
    )
    tables.append(
        Table(
            'Mô hình, điển hình "Dân vận khéo" theo lĩnh vực và cấp công nhận',
            (Column("Lĩnh vực", 2.2), *(Column(c, 1, "right") for c in models.columns)),
            tuple((r, *(fig.count(models.get(r, c)) for c in models.columns)) for r in models.rows),
            ("Cộng", *(fig.count(sum(models.get(r, c) for r in models.rows)) for c in models.columns)),
            landscape=False,
        )
    )
    if data.organizations:
        tables.append(organizations_table(data.organizations, new_members=False))
    missing = [c for c in data.communes if c.missing_forms]
    tables.append(
        Table(
            "Đơn vị chưa gửi đủ số liệu",
            (Column("STT", 0.45, "center"), Column("Đơn vị", 1.6), Column("Biểu còn thiếu", 4)),
            tuple((fig.count(i), c.label, "; ".join(c.missing_forms)) for i, c in enumerate(missing, 1))
            or (("", "Tất cả các đơn vị đã gửi đủ", ""),),
            landscape=False,
        )
    )
    if data.model_list:
        tables.append(
            Table(
                'Danh sách mô hình, điển hình "Dân vận khéo"',
                (
                    Column("STT", 0.45, "center"),
                    Column("Đơn vị", 1.3),
                    Column("Tên mô hình, điển hình", 4),
                    Column("Lĩnh vực", 1.5),
                    Column("Tình trạng", 1.6),
                    Column("Tiêu biểu", 0.7, "center"),
                ),
                tuple((fig.count(i), *row) for i, row in enumerate(data.model_list, start=1)),
                landscape=True,
            )
        )
    numbered: list[Block] = []
    n = 0
    for block in tables:
        if isinstance(block, Table):
            n += 1
            block = Table(
                f"Biểu {n}. {block.title}",
                block.columns,
                block.rows,
                block.total,
                block.note,
                block.landscape,
            )
        numbered.append(block)
    return numbered


def build_summary_return(
    data: SummaryData, profile: DocumentProfile, *, date: dt.date, number: int | None = None
) -> ReportDocument:
    period = period_phrase(data.scope.period_label)
    body: list[Block] = [Paragraph(overview(data, profile))]
    body += [Paragraph(note) for note in data.notes]  # said on the page: how a reform year is counted
    body.append(Paragraph(completeness(data)))
    body += narrative_blocks(data.narrative)
    copy = data.reading_copy
    return ReportDocument(
        letterhead=data.letterhead if copy is None else unit_letterhead(profile, copy),
        summary=SUMMARY.format(period=period),
        date=date,
        body=tuple(body),
        annex=tuple(annex(data, profile)),
        number=number if copy is None else None,
        subject=f"Báo cáo tổng hợp kết quả công tác dân vận {period} của {data.scope.unit_label}",
        reading_copy=copy,
    )
