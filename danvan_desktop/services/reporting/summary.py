"""The summary return of an aggregating office: one row of figures per commune, totals, who is missing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from danvan_desktop.catalog.kinds import UnitKind
from danvan_desktop.errors import UserError
from danvan_desktop.reports.model import CommuneFigures, SummaryData
from danvan_desktop.services.office.forms import get_form
from danvan_desktop.services.reporting.common import (
    COMMUNE_FORMS,
    HOUSES_BUILT,
    NARRATIVE_FORM,
    NTM_MET,
    FormReader,
    int_value,
    labels,
    load_letterhead,
    num_value,
    resolve_scope,
)
from danvan_desktop.services.reporting.commune import count_models, narrative_sections, organization_rows
from danvan_desktop.services.reporting.issuing import reading_copy_of


def _sum(rows: list[dict[str, Any]], key: str) -> float:
    return sum(num_value(v, key) for v in rows)


def _commune(reader: FormReader, node_id: int, label: str, code: str, kind: str) -> CommuneFigures:
    def rows(form_id: str) -> list[dict[str, Any]]:
        return reader.values(form_id, node_id)

    is_xa = UnitKind(kind) == UnitKind.XA
    expected = [f for f in COMMUNE_FORMS if is_xa or f != "tien_do_ntm"]
    missing = tuple(get_form(f).title for f in expected if not rows(f))
    profile, ntm = rows("ho_so_xa"), rows("tien_do_ntm")
    village_count = sum(1 for n in _node(reader, node_id).walk() if UnitKind(n.kind).is_village_level)
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


def _node(reader: FormReader, node_id: int) -> Any:
    return next(n for n in reader.scope.unit.walk() if n.id == node_id)


def _model_list(reader: FormReader) -> tuple[tuple[str, str, str, str, str], ...]:
    form = get_form("mo_hinh_dan_van_kheo")
    fields, statuses, levels = (labels(form, f) for f in ("linh_vuc", "trang_thai", "cap_cong_nhan"))
    communes = {c.id: c.display for c in reader.scope.communes()}
    listed = []
    for unit_id, v in reader.by_form["mo_hinh_dan_van_kheo"]:
        if v.get("trang_thai") == "rut":
            continue
        status = statuses.get(str(v.get("trang_thai")), "")
        if v.get("trang_thai") == "cong_nhan" and v.get("cap_cong_nhan"):
            status = f"{status} ({levels.get(str(v['cap_cong_nhan']), '').lower()})"
        typical = "x" if v.get("tieu_bieu") is True else ""
        name = str(v.get("ten_mo_hinh", ""))
        listed.append(
            (communes.get(unit_id, ""), name, fields.get(str(v.get("linh_vuc")), ""), status, typical)
        )
    return tuple(listed)


def summary_data(session: Session, unit_code: str, period_code: str) -> SummaryData:
    """The figures of every commune under `unit_code` for a period; errors before any file."""
    scope = resolve_scope(session, unit_code, period_code)
    letterhead = load_letterhead(session)
    communes = [c for c in scope.communes() if c.id != scope.unit.id]
    if not communes:
        raise UserError(
            f"{scope.unit_label} không có xã, phường, thị trấn trực thuộc trong kỳ {scope.period_label}; "
            "báo cáo tổng hợp chỉ lập cho đơn vị tổng hợp (dùng --kind return cho báo cáo của xã)."
        )
    reader = FormReader(session, scope, [scope.unit, *communes])
    figures = tuple(_commune(reader, c.id, c.display, c.code, c.kind) for c in communes)
    if not any(f.reported for f in figures):
        raise UserError(
            f"Chưa có xã, phường, thị trấn nào của {scope.unit_label} gửi số liệu kỳ {scope.period_label}."
        )
    own = reader.values(NARRATIVE_FORM, scope.unit.id)
    return SummaryData(
        scope=scope,
        letterhead=letterhead,
        communes=figures,
        models=count_models(v for c in communes for v in reader.values("mo_hinh_dan_van_kheo", c.id)),
        organizations=organization_rows(session, reader),
        model_list=_model_list(reader),
        narrative=narrative_sections(own[0]) if own else (),
        reading_copy=reading_copy_of(scope),
    )
