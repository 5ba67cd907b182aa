"""An import report as text: per package, per form and unit, what happened to the records."""

from __future__ import annotations

from danvan_desktop.services.exchange.merge_plan import OUTCOME_LABELS, RecordResult
from danvan_desktop.services.exchange.package_import import PackageReport
from danvan_desktop.services.office.forms import form_registry

ORDER = ["new", "updated", "unchanged", "stale", "conflict", "rejected"]


def describe_report(report: PackageReport, *, details: bool = True, rejections: bool = True) -> str:
    """The report of one package; rejections=False leaves out the rejected records (see rejected_lines)."""
    mark = {"applied": "✓", "duplicate": "✓", "dry_run": "•", "rejected": "✗"}[report.status]
    lines = [f"{mark} {report.message}"]
    if report.status == "duplicate":
        return lines[0]
    sender = report.office_label or report.office_unit
    lines.append(f"  Đơn vị gửi: {sender}, gói số {report.sequence}, khóa {report.fingerprint}")
    counts = report.counts()
    if report.plan is not None:  # a reply package (of the office above) has no records to count
        lines.append(
            "  " + ", ".join(f"{counts[o]} {OUTCOME_LABELS[o]}" for o in ORDER if counts[o]) or "  (gói rỗng)"
        )
    if report.plan is not None:
        forms = form_registry()
        for (form_id, unit), tally in sorted(report.plan.by_form_and_unit().items()):
            parts = ", ".join(f"{tally[o]} {OUTCOME_LABELS[o]}" for o in ORDER if tally[o])
            title = forms[form_id].title if form_id in forms else form_id
            lines.append(f"    {title} · {unit}: {parts}")
        if details:
            shown = ("rejected", "conflict", "stale") if rejections else ("conflict", "stale")
            for result in report.plan.results:
                if result.outcome in shown:
                    lines.append(_record_line(result))
                    for change in result.changes if result.outcome == "conflict" else []:
                        lines.append(
                            f"        {change.label}: đang có «{change.old}», gói gửi «{change.new}»"
                        )
    lines += [f"  {outcome.line()}" for outcome in report.returns]  # signed returns (format 3)
    for missing in report.gaps:
        sender = report.office_label or report.office_unit
        lines.append(f"  ! Chưa nhận gói số {missing} của {sender[:1].lower()}{sender[1:]}.")
    if report.backup:
        lines.append(f"  Bản sao lưu trước khi nhập: {report.backup}")
    return "\n".join(lines)


def rejected_lines(report: PackageReport) -> list[str]:
    """One line per rejected record of the package, with the reason."""
    if report.plan is None:
        return []
    return [_record_line(r) for r in report.plan.results if r.outcome == "rejected"]


def _record_line(result: RecordResult) -> str:
    record = result.incoming
    return (
        f"    - {record.form_id} {record.unit_code} {record.period_code} [{record.id[:8]}]: "
        f"{OUTCOME_LABELS[result.outcome]}" + (f" — {result.reason}" if result.reason else "")
    )
