"""The commune return: narrative sections I-V and the annex statistics of one unit and period."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.db.models import Organization
from danvan_desktop.errors import UserError
from danvan_desktop.formspec.values import format_value
from danvan_desktop.reports.model import (
    CommuneReturnData,
    ContributionRow,
    CountTable,
    DialogueRow,
    Figure,
    HouseRow,
    IndicatorRow,
    NarrativePart,
    NarrativeSection,
    NtmStatus,
    OrganizationRow,
    ReportScope,
)
from danvan_desktop.services.entry.entry import form_context
from danvan_desktop.services.office.forms import get_form
from danvan_desktop.services.office.periods import get_period
from danvan_desktop.services.office.targets import (
    assigned_targets,
)
from danvan_desktop.services.reporting.common import (
    NARRATIVE_FORM,
    FormReader,
    int_value,
    labels,
    load_letterhead,
    num_value,
    resolve_scope,
)
from danvan_desktop.services.reporting.indicators import criteria_by_year, unit_indicators
from danvan_desktop.services.reporting.issuing import reading_copy_of


def narrative_sections(values: Mapping[str, Any]) -> tuple[NarrativeSection, ...]:
    form = get_form(NARRATIVE_FORM)
    sections = []
    for section in form.sections:
        parts = [
            NarrativePart(f.label if len(section.fields) > 1 else None, str(values[f.id]))
            for f in section.fields
            if isinstance(values.get(f.id), str) and values[f.id].strip()
        ]
        if parts:
            sections.append(NarrativeSection(section.title, tuple(parts)))
    return tuple(sections)


def _figures(values: Mapping[str, Any] | None) -> tuple[Figure, ...]:
    if values is None:
        return ()
    form = get_form("ho_so_xa")
    shown = []
    for spec in form.fields():
        if spec.type in ("integer", "decimal", "percent") and values.get(spec.id) is not None:
            unit = f" {spec.unit}" if spec.unit else ""
            shown.append(Figure(spec.label, format_value(spec, values[spec.id]) + unit))
    return tuple(shown)


def _contributions(reader: FormReader, unit_id: int | None = None) -> tuple[ContributionRow, ...]:
    kinds = labels(get_form("dong_gop_nhan_dan"), "loai_cong_trinh")
    return tuple(
        ContributionRow(
            str(v.get("ten_cong_trinh", "")),
            str(v.get("loai_khac") or kinds.get(str(v.get("loai_cong_trinh")), "")),
            reader.village(v),
            int_value(v, "so_ho_tham_gia"),
            int_value(v, "dong_gop_tien"),
            num_value(v, "dat_hien"),
            num_value(v, "ngay_cong"),
            int_value(v, "hien_vat_quy_doi"),
            int_value(v, "ngan_sach_nha_nuoc"),
        )
        for v in reader.values("dong_gop_nhan_dan", unit_id)
    )


def _houses(reader: FormReader, unit_id: int | None = None) -> tuple[HouseRow, ...]:
    statuses = labels(get_form("nha_van_hoa"), "tinh_trang")
    return tuple(
        HouseRow(
            reader.village(v),
            statuses.get(str(v.get("tinh_trang")), ""),
            str(v.get("nam_hoan_thanh") or ""),
            int_value(v, "ngan_sach_nha_nuoc"),
            int_value(v, "nhan_dan_dong_gop_tien"),
            int_value(v, "hien_vat_quy_doi"),
            num_value(v, "dat_hien"),
            num_value(v, "ngay_cong"),
            int_value(v, "so_ho_dong_gop"),
        )
        for v in reader.values("nha_van_hoa", unit_id)
    )


MODEL_COLUMNS = ("Tổng số", "Cấp xã", "Cấp huyện", "Cấp tỉnh", "Chưa công nhận", "Tiêu biểu")
_LEVEL_COLUMNS = {"xa": "Cấp xã", "huyen": "Cấp huyện", "tinh": "Cấp tỉnh"}


def count_models(models: Iterable[Mapping[str, Any]]) -> CountTable:
    """Models and exemplars (withdrawn ones left out) by field and by recognition level."""
    fields = labels(get_form("mo_hinh_dan_van_kheo"), "linh_vuc")
    counts: Counter[tuple[str, str]] = Counter()
    for v in models:
        if v.get("trang_thai") == "rut":
            continue
        row = fields.get(str(v.get("linh_vuc")), "Khác")
        counts[row, "Tổng số"] += 1
        level = (
            _LEVEL_COLUMNS.get(str(v.get("cap_cong_nhan"))) if v.get("trang_thai") == "cong_nhan" else None
        )
        counts[row, level or "Chưa công nhận"] += 1
        counts[row, "Tiêu biểu"] += v.get("tieu_bieu") is True
    return CountTable(tuple(fields.values()), MODEL_COLUMNS, dict(counts))


def _ntm(session: Session, scope: ReportScope, values: Mapping[str, Any] | None) -> NtmStatus | None:
    if values is None:
        return None
    form = get_form("tien_do_ntm")
    period = get_period(session, scope.period_code, create=False)
    choices = form_context(session, form, scope.unit.id, period).choices.get("tieu_chi_dat", [])
    met = set(values.get("tieu_chi_dat") or [])
    decision = ", ".join(str(values[k]) for k in ("so_quyet_dinh", "co_quan_cong_nhan") if values.get(k)) + (
        f", ngày {format_value(form.field('ngay_quyet_dinh'), values['ngay_quyet_dinh'])}"
        if values.get("ngay_quyet_dinh")
        else ""
    )
    return NtmStatus(
        level=labels(form, "muc_dat").get(str(values.get("muc_dat")), ""),
        met=tuple(c.label for c in choices if c.value in met),
        total=len(choices),
        decision=decision,
    )


def organization_rows(
    session: Session, reader: FormReader, unit_id: int | None = None
) -> tuple[OrganizationRow, ...]:
    orgs = {
        o.code: o.short_name for o in session.scalars(select(Organization).order_by(Organization.sort_order))
    }
    totals: dict[str, list[int]] = {name: [0, 0, 0, 0] for name in orgs.values()}
    for v in reader.values("to_chuc_doan_the", unit_id):
        row = totals.setdefault(orgs.get(str(v.get("to_chuc")), str(v.get("to_chuc"))), [0, 0, 0, 0])
        for i, key in enumerate(("", "hoi_vien", "doi_tuong", "hoi_vien_moi")):
            row[i] += 1 if not key else int_value(v, key)
    return tuple(OrganizationRow(name, *row) for name, row in totals.items() if row[0])


def _dialogues(reader: FormReader, unit_id: int | None = None) -> tuple[DialogueRow, ...]:
    kinds = labels(get_form("doi_thoai_tiep_dan"), "hinh_thuc")
    totals: dict[str, list[int]] = defaultdict(lambda: [0] * 5)
    for v in reader.values("doi_thoai_tiep_dan", unit_id):
        row = totals[kinds.get(str(v.get("hinh_thuc")), "")]
        for i, key in enumerate(
            ("", "so_nguoi_du", "so_kien_nghi", "so_da_giai_quyet", "so_dang_giai_quyet")
        ):
            row[i] += 1 if not key else int_value(v, key)
    return tuple(DialogueRow(kind, *totals[kind]) for kind in kinds.values() if kind in totals)


def indicator_rows(session: Session, scope: ReportScope) -> tuple[IndicatorRow, ...]:
    """The unit's Project 05 indicators (indicators.py); a plan figure assigned from above is marked."""
    period = get_period(session, scope.period_code, create=False)
    targets = assigned_targets(session, scope.unit.id, period.start, period.end)
    return tuple(
        replace(row, assigned=row.number in targets)
        for row in unit_indicators(session, scope.unit.id, scope.period_id)
    )


def commune_return_data(session: Session, unit_code: str, period_code: str) -> CommuneReturnData:
    """Everything the return of one commune for one period prints; errors before any file."""
    scope = resolve_scope(session, unit_code, period_code)
    letterhead = load_letterhead(session)
    reader = FormReader(session, scope, [scope.unit])
    if not any(reader.by_form.values()):
        raise UserError(f"{scope.unit_label} chưa có số liệu nào trong kỳ {scope.period_label}.")
    narrative = reader.values(NARRATIVE_FORM)
    if not narrative:
        title = get_form(NARRATIVE_FORM).title
        raise UserError(
            f"{scope.unit_label} chưa nhập phần lời văn của báo cáo (biểu «{title}») "
            f"cho kỳ {scope.period_label}; hãy nhập rồi in lại."
        )
    profile = reader.values("ho_so_xa")
    ntm = reader.values("tien_do_ntm")
    return CommuneReturnData(
        scope=scope,
        letterhead=letterhead,
        narrative=narrative_sections(narrative[0]),
        figures=_figures(profile[0] if profile else None),
        reading_copy=reading_copy_of(scope),
        contributions=_contributions(reader),
        houses=_houses(reader),
        models=count_models(reader.values("mo_hinh_dan_van_kheo")),
        ntm=_ntm(session, scope, ntm[0] if ntm else None),
        organizations=organization_rows(session, reader),
        dialogues=_dialogues(reader),
        indicators=indicator_rows(session, scope),
        ntm_years=criteria_by_year(session, scope.unit.id, scope.period_end.year) if ntm else (),
    )
