"""Exporting an office's records as a signed package for the level above."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from danvan_desktop import __version__
from danvan_desktop.db.engine import Database
from danvan_desktop.db.migrate import HEAD_REVISION
from danvan_desktop.db.models import Installation, OrgUnit, Period, Record
from danvan_desktop.services.exchange.package_records import office_unit_ids, records_to_send
from danvan_desktop.services.exchange.package_returns import returns_to_attach
from danvan_desktop.services.exchange.signing_keys import signing_key
from danvan_desktop.services.exchange.unit_definitions import definitions_to_send
from danvan_desktop.services.office.accounts import require_in
from danvan_desktop.services.office.audit import record_action
from danvan_desktop.services.office.form_versions import forms_in_force
from danvan_desktop.services.office.periods import get_period
from danvan_desktop.services.review.statements import statements_to_send
from danvan_desktop.transport.package_format import ManifestInfo, PackageSummary
from danvan_desktop.transport.writer import write_package


@dataclass(frozen=True)
class ExportResult:
    summary: PackageSummary | None  # None: nothing to send
    sequence: int
    office_label: str


def export_package(
    db: Database,
    out: Path,
    *,
    periods: Sequence[str] = (),
    since_last: bool = False,
    passphrase: str | None = None,
    returns: Sequence[Path] = (),
) -> ExportResult:
    """Write this office's records (its own and merged ones) to `out`; count the package.

    The package number and the "since last export" mark move only after the file is complete.
    """
    with db.session() as session:
        require_in(session, "package.export")
        installation = session.scalars(select(Installation)).one()
        office = session.get_one(OrgUnit, installation.office_unit_id)
        codes = [get_period(session, code, create=False).code for code in periods]
        up_to = session.scalar(select(func.max(Record.local_change))) or 0
        after = installation.exported_change if since_last else 0
        units = office_unit_ids(session, office.id)
        covered = select(Record.org_unit_id, Record.period_id, Record.form_id).where(
            Record.org_unit_id.in_(units), Record.local_change > after, Record.local_change <= up_to
        )
        if codes:
            covered = covered.where(Record.period_id.in_(select(Period.id).where(Period.code.in_(codes))))
        rows = session.execute(covered.distinct()).all()
        sequence = installation.export_sequence + 1
        review = statements_to_send(session, office.id)  # the returns it submitted: said in every package
        attached = returns_to_attach(session, returns)  # signed returns travel with their data
        if not rows and review is None and not attached:
            return ExportResult(None, installation.export_sequence, office.name)
        unit_codes = dict(session.execute(select(OrgUnit.id, OrgUnit.code)).all())
        period_codes = dict(session.execute(select(Period.id, Period.code)).all())
        forms = forms_in_force(session)
        info = ManifestInfo(
            site_id=installation.site_id,
            office_unit=office.code,
            sequence=sequence,
            app_version=__version__,
            schema_revision=HEAD_REVISION,
            forms={f: forms[f].version if f in forms else 1 for f in sorted({r[2] for r in rows})},
            periods=sorted({period_codes[r[1]] for r in rows}),
            units=sorted({unit_codes[r[0]] for r in rows}),
            unit_definitions=definitions_to_send(session, office.id),
            review=review,
            returns=attached,
        )
        key = signing_key(db.path, installation.site_id)
        records = records_to_send(
            session, office.id, after_change=after, up_to_change=up_to, period_codes=codes
        )
        summary = write_package(out, info, records, key, passphrase)
    with db.transaction() as session:
        installation = session.scalars(select(Installation)).one()
        installation.export_sequence = sequence
        record_action(
            session,
            "package.export",
            detail=f"gói số {sequence}, {summary.record_count} bản ghi"
            + (f", {len(attached)} báo cáo đã ký" if attached else "")
            + f": {out.name}",
        )
        if not codes:  # a partial (some periods) export does not mark the rest as sent
            installation.exported_change = max(installation.exported_change, up_to)
    return ExportResult(summary, sequence, office.name)
