"""The summary return of an aggregating office: one row of figures per commune, totals, who is missing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.catalog.kinds import UnitKind
from danvan_desktop.db.models import OrgUnit
from danvan_desktop.errors import UserError
from danvan_desktop.reports.model import CommuneFigures, ReportScope, SummaryData
from danvan_desktop.services.office.forms import get_form
from danvan_desktop.services.office.installation import load_installation
from danvan_desktop.services.office.orgunits import dated_subtree, find_unit, is_valid_on
from danvan_desktop.services.office.periods import get_period
from danvan_desktop.services.reporting.common import (
    COMMUNE_FORMS,
    HOUSES_BUILT,
    NARRATIVE_FORM,
    NTM_MET,
    FormReader,
    form_values,
    int_value,
    labels,
    load_letterhead,
    num_value,
    resolve_scope,
)
from danvan_desktop.services.reporting.commune import count_models, narrative_sections, organization_rows
from danvan_desktop.services.reporting.indicators import ntm_by_year, office_indicators
from danvan_desktop.services.reporting.issuing import reading_copy_of
from danvan_desktop.services.reporting.lineage import STRUCTURES, Member, PlannedRow, Structure, plan_rows
from danvan_desktop.services.reporting.span_reader import SpanReader


def _sum(rows: list[dict[str, Any]], key: str) -> float:
    return sum(num_value(v, key) for v in rows)


def _commune(
    reader: FormReader, node_id: int, label: str, code: str, kind: str, village_count: int
) -> CommuneFigures:
    def rows(form_id: str) -> list[dict[str, Any]]:
        return reader.values(form_id, node_id)

    is_xa = UnitKind(kind) == UnitKind.XA
    expected = [f for f in COMMUNE_FORMS if is_xa or f != "tien_do_ntm"]
    missing = tuple(get_form(f).title for f in expected if not rows(f))
    profile, ntm = rows("ho_so_xa"), rows("tien_do_ntm")
    models = [v for v in rows("mo_hinh_dan_van_kheo") if v.get("trang_thai") != "rut"]
    gifts, houses = rows("dong_gop_nhan_dan"), rows("nha_van_hoa")
    branches, talks = rows("to_chuc_doan_the"), rows("doi_thoai_tiep_dan")
    ntm_values: Mapping[str, Any] = ntm[0] if ntm else {}
    return CommuneFigures(
        code=code,
        label=label,
        is_xa=is_xa,
        missing_forms=missing,
        reported=len(missing) < len(expected),
        villages=int_value(profile[0], "so_xom") if profile and profile[0].get("so_xom") else village_count,
        houses_built=sum(1 for v in houses if v.get("tinh_trang") in HOUSES_BUILT),
        households=round(_sum(gifts, "so_ho_tham_gia")),
        cash=round(_sum(gifts, "dong_gop_tien")),
        in_kind=round(_sum(gifts, "hien_vat_quy_doi")),
        land=_sum(gifts, "dat_hien"),
        labour=_sum(gifts, "ngay_cong"),
        state=round(_sum(gifts, "ngan_sach_nha_nuoc")),
        models=len(models),
        models_recognized=sum(1 for v in models if v.get("trang_thai") == "cong_nhan"),
        ntm_level=labels(get_form("tien_do_ntm"), "muc_dat").get(str(ntm_values.get("muc_dat")), ""),
        ntm_met=ntm_values.get("muc_dat") in NTM_MET,
        criteria_met=int_value(ntm_values, "so_tieu_chi_dat") if ntm else None,
        members=round(_sum(branches, "hoi_vien")),
        eligible=round(_sum(branches, "doi_tuong")),
        petitions=round(_sum(talks, "so_kien_nghi")),
        resolved=round(_sum(talks, "so_da_giai_quyet")),
    )


def _village_count(session: Session, reader: FormReader, member: Member) -> int:
    """Villages under the unit: from the office's dated tree, else (a former unit) on its last day."""
    node = next((n for n in reader.scope.unit.walk() if n.id == member.id), None)
    if node is not None:
        return sum(1 for n in node.walk() if UnitKind(n.kind).is_village_level)
    children = session.scalars(select(OrgUnit).where(OrgUnit.parent_id == member.id))
    return sum(1 for c in children if UnitKind(c.kind).is_village_level and is_valid_on(c, member.end))


def _model_list(reader: SpanReader, names: dict[int, str]) -> tuple[tuple[str, str, str, str, str], ...]:
    form = get_form("mo_hinh_dan_van_kheo")
    fields, statuses, levels = (labels(form, f) for f in ("linh_vuc", "trang_thai", "cap_cong_nhan"))
    listed = []
    for unit_id, v in reader.by_form["mo_hinh_dan_van_kheo"]:
        if v.get("trang_thai") == "rut" or not reader.at_end(unit_id):  # a state: the units at the end
            continue
        status = statuses.get(str(v.get("trang_thai")), "")
        if v.get("trang_thai") == "cong_nhan" and v.get("cap_cong_nhan"):
            status = f"{status} ({levels.get(str(v['cap_cong_nhan']), '').lower()})"
        typical = "x" if v.get("tieu_bieu") is True else ""
        name = str(v.get("ten_mo_hinh", ""))
        listed.append((names.get(unit_id, ""), name, fields.get(str(v.get("linh_vuc")), ""), status, typical))
    return tuple(listed)


def summary_data(
    session: Session,
    unit_code: str,
    period_code: str,
    structure: Structure = "ky",
    *,
    today: dt.date | None = None,
) -> SummaryData:
    """The figures of every commune under `unit_code` for a period; errors before any file.

    `structure`: "ky" the units valid in the period (grouped by validity when a reform falls in
    it), "moi" former units summed into today's, "cu" communes grouped by their former district.
    """
    scope = _scope(session, unit_code, period_code, structure, today or dt.date.today())
    letterhead = load_letterhead(session)
    plan = plan_rows(session, scope, structure, today=today)
    if not plan.rows:
        raise UserError(
            f"{scope.unit_label} không có xã, phường, thị trấn trực thuộc trong kỳ {scope.period_label}; "
            "báo cáo tổng hợp chỉ lập cho đơn vị tổng hợp (dùng --kind return cho báo cáo của xã)."
        )
    members = plan.members()
    reader = SpanReader(session, scope, members)
    figures = tuple(_row(session, reader, row) for row in plan.rows)
    if not any(f.reported for f in figures):
        raise UserError(
            f"Chưa có xã, phường, thị trấn nào của {scope.unit_label} gửi số liệu kỳ {scope.period_label}."
        )
    own = form_values(session, NARRATIVE_FORM, [scope.unit.id], scope.period_id)
    return SummaryData(
        scope=scope,
        letterhead=letterhead,
        communes=figures,
        models=count_models(reader.values("mo_hinh_dan_van_kheo")),
        organizations=organization_rows(session, reader),
        model_list=_model_list(reader, {m.id: m.label for m in members}),
        narrative=narrative_sections(own[0][1]) if own else (),
        reading_copy=reading_copy_of(scope),
        notes=plan.notes,
        folded=plan.folded,
        structure_label=STRUCTURES[structure] if structure != "ky" else "",
        indicators=office_indicators(session, scope.unit.id, [m.id for m in members], scope.period_id),
        ntm_years=ntm_by_year(session, scope.unit.id, scope.period_end.year),
    )


def _scope(
    session: Session, unit_code: str, period_code: str, structure: Structure, today: dt.date
) -> ReportScope:
    """The checked scope; under today's units also a unit of today for a period before it existed.

    A commune formed in 2025 prints its 2023 under its own name from its predecessors' records (its
    history): the unit must be the office's or under it today, and the period is then read through
    lineage only.
    """
    try:
        return resolve_scope(session, unit_code, period_code)
    except UserError:
        if structure != "moi":
            raise
        installation = load_installation(session)
        period = get_period(session, period_code, create=False)
        unit = find_unit(session, unit_code)
        tree = dated_subtree(session, installation.office_unit_id, today, today)
        node = next((n for n in tree.walk() if n.id == unit.id), None) if tree else None
        if node is None or tree is None or unit.valid_from <= period.end:
            raise
        return ReportScope(
            node,
            period.id,
            period.code,
            period.label,
            period.start,
            period.end,
            installation.office_label,
            tree,
        )


def _row(session: Session, reader: SpanReader, row: PlannedRow) -> CommuneFigures:
    parts = [
        (m, _commune(reader, m.id, m.label, m.code, m.kind, _village_count(session, reader, m)))
        for m in row.members
    ]
    if len(parts) == 1:
        only = parts[0][1]
        return replace(only, label=row.label, group=row.group, at_end=row.at_end)
    return combine(row, parts)


def combine(row: PlannedRow, parts: list[tuple[Member, CommuneFigures]]) -> CommuneFigures:
    """A new unit's row from its own figures and its former units': flows add, states from the end."""
    figures = [f for _, f in parts]
    end = [f for m, f in parts if m.at_end]
    end_xa = [f for f in end if f.is_xa]
    missing = tuple(t for t in figures[0].missing_forms if all(t in f.missing_forms for f in figures))
    return CommuneFigures(
        code=row.code,
        label=row.label,
        is_xa=UnitKind(row.kind) == UnitKind.XA,
        missing_forms=missing,
        reported=any(f.reported for f in figures),
        villages=sum(f.villages for f in end),
        houses_built=sum(f.houses_built for f in end),
        households=sum(f.households for f in figures),
        cash=sum(f.cash for f in figures),
        in_kind=sum(f.in_kind for f in figures),
        land=sum(f.land for f in figures),
        labour=sum(f.labour for f in figures),
        state=sum(f.state for f in figures),
        models=sum(f.models for f in end),
        models_recognized=sum(f.models_recognized for f in end),
        ntm_level=end_xa[0].ntm_level if len(end_xa) == 1 else "",
        ntm_met=bool(end_xa) and all(f.ntm_met for f in end_xa),
        criteria_met=end_xa[0].criteria_met if len(end_xa) == 1 else None,
        members=sum(f.members for f in end),
        eligible=sum(f.eligible for f in end),
        petitions=sum(f.petitions for f in figures),
        resolved=sum(f.resolved for f in figures),
        group=row.group,
        at_end=row.at_end,
    )
