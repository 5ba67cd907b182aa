"""Shared pieces of report data: settings of the letterhead, the checked scope, records by form."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.catalog.tree import UnitNode
from danvan_desktop.db.models import OrgUnit, Record
from danvan_desktop.errors import UserError
from danvan_desktop.formspec.model import FormDef
from danvan_desktop.reports.model import Letterhead, ReportScope
from danvan_desktop.services.office.installation import load_installation
from danvan_desktop.services.office.orgunits import dated_subtree, find_unit, unit_label
from danvan_desktop.services.office.periods import get_period
from danvan_desktop.services.office.settings import SIGNER_KEYS, get_setting
from danvan_desktop.services.office.validity import ensure_valid_during

# Settings the returns read besides SIGNER_KEYS; all are filled once per office.
REPORT_SETTING_KEYS = {
    "office.abbreviation": "Ký hiệu viết tắt của cơ quan ban hành (UBND, ĐU, BDVHU...)",
    "signer.collective": "Tập thể mà người ký thay mặt (sau TM., T/M), ví dụ: ỦY BAN NHÂN DÂN",
    "report.recipients": "Nơi nhận, mỗi nơi một dòng hoặc cách nhau bởi dấu ;",
    "report.profile": "Mẫu văn bản mặc định: nha_nuoc hoặc dang",
    # Digital signing (services/reporting/signing_setup.py)
    "sign.signature_image": "Ảnh chữ ký của người ký (tệp PNG nền trong suốt, màu xanh)",
    "sign.seal_image": "Ảnh con dấu của cơ quan (tệp PNG nền trong suốt, màu đỏ, kích thước thật)",
    "sign.pkcs11_module": "Thư viện PKCS#11 của token chữ ký số (tệp .so/.dll của nhà cung cấp)",
    "sign.trust_dir": "Thư mục chứng thư gốc tin cậy để kiểm tra báo cáo đã ký số nhận được",
}
REQUIRED_SETTINGS = ("signer.name", "signer.title", "office.issuing_body", "office.place_name")
# session.info key: a return is laid out here only to recompute its figures, so a missing letterhead
# (which the figures do not include) must not stop it.
FIGURES_ONLY = "reporting.figures_only"
NARRATIVE_FORM = "bao_cao_tong_hop"
COMMUNE_FORMS = (
    NARRATIVE_FORM,
    "ho_so_xa",
    "tien_do_ntm",
    "nha_van_hoa",
    "dong_gop_nhan_dan",
    "mo_hinh_dan_van_kheo",
    "to_chuc_doan_the",
    "doi_thoai_tiep_dan",
)
NTM_MET = frozenset({"dat_chuan", "nang_cao", "kieu_mau"})
HOUSES_BUILT = frozenset({"xay_moi", "mo_rong"})


def all_setting_keys() -> dict[str, str]:
    return {**SIGNER_KEYS, **REPORT_SETTING_KEYS}


def load_letterhead(session: Session) -> Letterhead:
    """The settings a return prints; a clear error when one it cannot do without is empty."""
    keys = all_setting_keys()
    values = {k: (get_setting(session, k) or "").strip() for k in keys}
    missing = [k for k in REQUIRED_SETTINGS if not values[k]]
    if missing and session.info.get(FIGURES_ONLY):
        # Laid out only to compare its figures (a received return): the letterhead is not among them.
        values |= {k: "…" for k in missing}
        missing = []
    if missing:
        lines = "\n".join(f'  danvan settings set {k} "..."   ({keys[k]})' for k in missing)
        names = ", ".join(keys[k].lower() for k in missing)
        raise UserError(
            f"Chưa khai báo {names} để in báo cáo. Hãy khai báo trong phần Cài đặt hoặc:\n{lines}"
        )
    recipients = [r.strip() for r in values["report.recipients"].replace(";", "\n").splitlines()]
    return Letterhead(
        issuing_body=values["office.issuing_body"],
        superior_body=values["office.superior_body"],
        place=values["office.place_name"],
        abbreviation=values["office.abbreviation"],
        signer_name=values["signer.name"],
        signer_title=values["signer.title"],
        signer_authority=values["signer.authority"],
        signer_collective=values["signer.collective"],
        recipients=tuple(r for r in recipients if r),
    )


def resolve_scope(session: Session, unit_code: str, period_code: str) -> ReportScope:
    installation = load_installation(session)
    unit = find_unit(session, unit_code)
    period = get_period(session, period_code, create=False)
    tree = dated_subtree(session, installation.office_unit_id, period.start, period.end)
    node = next((n for n in tree.walk() if n.id == unit.id), None) if tree else None
    if node is None or tree is None:
        if _ever_under(unit, installation.office_unit_id):
            ensure_valid_during(session, unit, period)  # the office's own unit: said with its dates
        raise UserError(
            f"{unit_label(unit)} ({unit.code}) không thuộc phạm vi của {installation.office_label} "
            f"trong kỳ {period.label}; chỉ in được báo cáo của đơn vị mình và các đơn vị trực thuộc."
        )
    return ReportScope(
        node, period.id, period.code, period.label, period.start, period.end, installation.office_label, tree
    )


def _ever_under(unit: OrgUnit, office_unit_id: int) -> bool:
    """Whether `unit` is the office's unit or below it at some time (dates ignored)."""
    current: OrgUnit | None = unit
    while current is not None:
        if current.id == office_unit_id:
            return True
        current = current.parent
    return False


def form_values(
    session: Session, form_id: str, unit_ids: Iterable[int], period_id: int
) -> list[tuple[int, dict[str, Any]]]:
    """(unit id, values) of the live records of a form, in the order they were entered."""
    stmt = select(Record.org_unit_id, Record.values).where(
        Record.form_id == form_id,
        Record.org_unit_id.in_(list(unit_ids)),
        Record.period_id == period_id,
        Record.deleted.is_(False),
    )
    return [
        (unit_id, values) for unit_id, values in session.execute(stmt.order_by(Record.created_at, Record.id))
    ]


def num_value(values: Mapping[str, Any], key: str) -> float:
    value = values.get(key)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def int_value(values: Mapping[str, Any], key: str) -> int:
    return round(num_value(values, key))


def labels(form: FormDef, field_id: str) -> dict[str, str]:
    return {c.value: c.label for c in form.field(field_id).choices or []}


class FormReader:
    """Records of the report's forms for a set of units and one period, with their labels."""

    def __init__(self, session: Session, scope: ReportScope, units: Sequence[UnitNode]) -> None:
        self.session, self.scope = session, scope
        self.unit_ids = [u.id for u in units]
        self.names = {n.code: n.name for n in scope.unit.walk()}
        self.by_form = {f: form_values(session, f, self.unit_ids, scope.period_id) for f in COMMUNE_FORMS}

    def values(self, form_id: str, unit_id: int | None = None) -> list[dict[str, Any]]:
        return [v for u, v in self.by_form[form_id] if unit_id is None or u == unit_id]

    def village(self, values: Mapping[str, Any]) -> str:
        code = values.get("xom")
        return self.names.get(str(code), str(code)) if code else ""
