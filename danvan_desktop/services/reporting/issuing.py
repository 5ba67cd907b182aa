"""Who issues a printed return: the office its own unit's; a unit below it only as a reading copy."""

from __future__ import annotations

from danvan_desktop.catalog.tree import UnitNode
from danvan_desktop.reports.model import IssuingRole, IssuingUnit, ReportScope


def issuing_role(office_unit_id: int, report_unit_id: int) -> IssuingRole:
    """ "own" for the office's own unit; "reading_copy" for any unit below it.

    A return belongs to the office that issues it: the district may print a commune's return from
    the data the commune sent, but that print is the commune's document, read at the district. It
    carries no letterhead, signer or number of the district's, and takes nothing from its register.
    The CLI, the Reports screen and the layouts all ask this one function.
    """
    return "own" if office_unit_id == report_unit_id else "reading_copy"


def _parent(tree: UnitNode, unit_id: int) -> UnitNode | None:
    return next((n for n in tree.walk() if any(c.id == unit_id for c in n.children)), None)


def reading_copy_of(scope: ReportScope) -> IssuingUnit | None:
    """The unit a reading copy belongs to, or None when the office prints its own return."""
    if issuing_role(scope.office.id, scope.unit.id) == "own":
        return None
    parent = _parent(scope.office, scope.unit.id)
    return IssuingUnit(
        kind=scope.unit.kind,
        name=scope.unit.name,
        label=scope.unit.display,
        parent_label=parent.display if parent is not None else "",
        printed_by=scope.office_label,
    )


def reading_copy_note(unit_label: str, office_label: str) -> str:
    """What the user is told before printing, in the CLI and on the Reports screen alike."""
    return (
        f"Báo cáo của {unit_label} in tại {office_label} là bản sao để theo dõi (không phải văn bản "
        f"phát hành): mang tên {unit_label}, không có người ký và số văn bản của {office_label}, "
        "không lấy số trong sổ đăng ký văn bản."
    )
