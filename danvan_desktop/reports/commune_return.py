"""The commune return: narrative sections I-V, then an annex of statistics tables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from danvan_desktop.reports import figures as fig
from danvan_desktop.reports.document import (
    BarChart,
    Block,
    Column,
    Heading,
    Paragraph,
    ReportDocument,
    Table,
)
from danvan_desktop.reports.indicators_table import indicators_table, share_chart
from danvan_desktop.reports.letterhead import unit_letterhead
from danvan_desktop.reports.model import CommuneReturnData, NarrativeSection, OrganizationRow
from danvan_desktop.reports.profile import DocumentProfile

SUMMARY = "Kết quả công tác dân vận {period}"


def period_phrase(label: str) -> str:
    """ "Năm 2023" -> "năm 2023", as it reads inside a sentence."""
    return label[:1].lower() + label[1:]


def narrative_blocks(sections: tuple[NarrativeSection, ...]) -> list[Block]:
    blocks: list[Block] = []
    for section in sections:
        blocks.append(Heading(section.heading, 1))
        for part in section.parts:
            if part.heading:
                blocks.append(Heading(part.heading, 2))
            blocks.append(Paragraph(part.text))
    return blocks


def _numbered(blocks: list[Block]) -> tuple[Block, ...]:
    """Tables numbered "Biểu 1.", "Biểu 2." in order; charts between them keep their own titles."""
    numbered: list[Block] = []
    for block in blocks:
        if isinstance(block, Table):
            n = sum(1 for b in numbered if isinstance(b, Table)) + 1
            block = Table(f"Biểu {n}. {block.title}", block.columns, block.rows, block.total, block.note,
                          block.landscape)  # fmt: skip
        numbered.append(block)
    return tuple(numbered)


def ntm_years_chart(years: tuple[tuple[str, float], ...]) -> BarChart | None:
    """The criteria a xã met, year after year: only worth a chart over two years or more."""
    if len(years) < 2:
        return None
    return BarChart(
        "Số tiêu chí nông thôn mới đạt được qua các năm",
        tuple(y for y, _ in years),
        tuple(v for _, v in years),
        "Số tiêu chí đạt (theo bộ tiêu chí áp dụng từng năm)",
    )


def annex_tables(data: CommuneReturnData, profile: DocumentProfile) -> list[Block]:
    unit = profile.tables.money_unit

    def money(value: float) -> str:
        return fig.money(profile, value)

    tables: list[Block] = []
    if data.figures:
        tables.append(
            Table(
                f"Thông tin chung của {data.scope.unit_label}",
                (Column("Chỉ tiêu", 3), Column("Số liệu", 1.4, "right")),
                tuple((f.label, f.value) for f in data.figures),
                landscape=False,
            )
        )
    if data.indicators:
        tables.append(indicators_table(data.indicators))
        chart = share_chart(data.indicators)
        if chart is not None:
            tables.append(chart)
    if data.contributions:
        rows = data.contributions
        tables.append(
            Table(
                "Vận động nhân dân đóng góp xây dựng công trình",
                (
                    Column("STT", 0.45, "center"),
                    Column("Công trình, phần việc", 3),
                    Column("Loại", 1.3),
                    Column("Xóm", 1.1),
                    Column("Số hộ tham gia", 0.9, "right"),
                    Column(f"Tiền ({unit})", 1, "right"),
                    Column("Hiện vật quy đổi", 1, "right"),
                    Column("Đất hiến (m²)", 1, "right"),
                    Column("Ngày công", 0.9, "right"),
                    Column(f"Ngân sách nhà nước ({unit})", 1.1, "right"),
                ),
                tuple(
                    (
                        fig.count(i),
                        r.name,
                        r.kind,
                        r.village,
                        fig.count(r.households),
                        money(r.cash),
                        money(r.in_kind),
                        fig.area(r.land),
                        fig.area(r.labour),
                        money(r.state),
                    )
                    for i, r in enumerate(rows, start=1)
                ),
                total=(
                    "",
                    "Cộng",
                    "",
                    "",
                    fig.count(sum(r.households for r in rows)),
                    money(sum(r.cash for r in rows)),
                    money(sum(r.in_kind for r in rows)),
                    fig.area(sum(r.land for r in rows)),
                    fig.area(sum(r.labour for r in rows)),
                    money(sum(r.state for r in rows)),
                ),
            )
        )
    if data.houses:
        houses = data.houses
        tables.append(
            Table(
                "Nhà văn hóa xóm",
                (
                    Column("STT", 0.45, "center"),
                    Column("Xóm, tổ dân phố", 1.5),
                    Column("Tình trạng", 1.6),
                    Column("Năm hoàn thành", 0.8, "center"),
                    Column(f"Ngân sách nhà nước ({unit})", 1.1, "right"),
                    Column(f"Nhân dân góp tiền ({unit})", 1.1, "right"),
                    Column(f"Hiện vật ({unit})", 1, "right"),
                    Column("Đất hiến (m²)", 0.9, "right"),
                    Column("Ngày công", 0.9, "right"),
                    Column("Số hộ đóng góp", 0.9, "right"),
                ),
                tuple(
                    (
                        fig.count(i),
                        h.village,
                        h.status,
                        h.year,
                        money(h.state),
                        money(h.people_cash),
                        money(h.in_kind),
                        fig.area(h.land),
                        fig.area(h.labour),
                        fig.count(h.households),
                    )
                    for i, h in enumerate(houses, start=1)
                ),
                total=(
                    "",
                    "Cộng",
                    "",
                    "",
                    money(sum(h.state for h in houses)),
                    money(sum(h.people_cash for h in houses)),
                    money(sum(h.in_kind for h in houses)),
                    fig.area(sum(h.land for h in houses)),
                    fig.area(sum(h.labour for h in houses)),
                    fig.count(sum(h.households for h in houses)),
                ),
            )
        )
    models = data.models
    if any(models.get(r, models.columns[0]) for r in models.rows):
        tables.append(
            Table(
                'Mô hình, điển hình "Dân vận khéo" theo lĩnh vực và cấp công nhận',
                (Column("Lĩnh vực", 2.2), *(Column(c, 1, "right") for c in models.columns)),
                tuple((row, *(fig.count(models.get(row, c)) for c in models.columns)) for row in models.rows),
                total=(
                    "Cộng",
                    *(fig.count(sum(models.get(r, c) for r in models.rows)) for c in models.columns),
                ),
                landscape=False,
            )
        )
    if data.ntm is not None:
        ntm = data.ntm
        tables.append(
            Table(
                "Kết quả xây dựng nông thôn mới",
                (Column("Nội dung", 1.3), Column("Kết quả", 3)),
                (
                    ("Mức đạt chuẩn", ntm.level),
                    ("Số tiêu chí đã đạt", fig.ratio(len(ntm.met), ntm.total)),
                    ("Các tiêu chí đã đạt", "; ".join(ntm.met)),
                    ("Quyết định công nhận", ntm.decision),
                ),
                landscape=False,
            )
        )
        years = ntm_years_chart(data.ntm_years)
        if years is not None:
            tables.append(years)
    if data.organizations:
        tables.append(organizations_table(data.organizations, new_members=True))
    if data.dialogues:
        talks = data.dialogues
        tables.append(
            Table(
                "Đối thoại, tiếp xúc và tiếp công dân; giải quyết kiến nghị",
                (
                    Column("Hình thức", 2),
                    Column("Số buổi", 0.8, "right"),
                    Column("Số người dự", 1, "right"),
                    Column("Kiến nghị tiếp nhận", 1, "right"),
                    Column("Đã giải quyết", 1, "right"),
                    Column("Đang giải quyết", 1, "right"),
                    Column("Tỷ lệ giải quyết", 0.9, "right"),
                ),
                tuple(
                    (
                        t.kind,
                        fig.count(t.sessions),
                        fig.count(t.attendees),
                        fig.count(t.petitions),
                        fig.count(t.resolved),
                        fig.count(t.pending),
                        fig.percent(t.resolved, t.petitions),
                    )
                    for t in talks
                ),
                total=(
                    "Cộng",
                    *(
                        fig.count(sum(getattr(t, k) for t in talks))
                        for k in ("sessions", "attendees", "petitions", "resolved", "pending")
                    ),
                    fig.percent(sum(t.resolved for t in talks), sum(t.petitions for t in talks)),
                ),
                landscape=False,
            )
        )
    return tables


def build_commune_return(
    data: CommuneReturnData, profile: DocumentProfile, *, date: dt.date, number: int | None = None
) -> ReportDocument:
    period = period_phrase(data.scope.period_label)
    copy = data.reading_copy
    return ReportDocument(
        letterhead=data.letterhead if copy is None else unit_letterhead(profile, copy),
        summary=SUMMARY.format(period=period),
        date=date,
        body=tuple(narrative_blocks(data.narrative)),
        annex=_numbered(annex_tables(data, profile)),
        number=number if copy is None else None,  # a unit's return never carries the office's number
        subject=f"Báo cáo kết quả công tác dân vận {period} của {data.scope.unit_label}",
        reading_copy=copy,
    )


def organizations_table(orgs: Sequence[OrganizationRow], *, new_members: bool) -> Table:
    """Members and coverage per organization, with totals (the coverage of the totals, not a mean)."""
    columns = [
        Column("Tổ chức", 1.6),
        Column("Số chi hội, chi đoàn", 1, "right"),
        Column("Hội viên, đoàn viên", 1, "right"),
        Column("Đối tượng tập hợp", 1, "right"),
        Column("Tỷ lệ tập hợp", 0.9, "right"),
    ]
    if new_members:
        columns.append(Column("Kết nạp mới", 0.9, "right"))

    def cells(label: str, branches: int, members: int, eligible: int, new: int) -> tuple[str, ...]:
        row = (
            label,
            fig.count(branches),
            fig.count(members),
            fig.count(eligible),
            fig.percent(members, eligible),
        )
        return (*row, fig.count(new)) if new_members else row

    return Table(
        "Mặt trận và các đoàn thể: hội viên, đoàn viên và tỷ lệ tập hợp",
        tuple(columns),
        tuple(cells(o.organization, o.branches, o.members, o.eligible, o.new_members) for o in orgs),
        total=cells(
            "Cộng",
            sum(o.branches for o in orgs),
            sum(o.members for o in orgs),
            sum(o.eligible for o in orgs),
            sum(o.new_members for o in orgs),
        ),
        landscape=False,
    )
