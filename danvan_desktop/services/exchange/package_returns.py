"""Signed return PDFs in packages (format 3): attached at export, checked and kept at the office above."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.db.models import Installation, ReceivedReturn
from danvan_desktop.errors import UserError
from danvan_desktop.services.exchange.origin import ForeignOriginError, Hierarchy
from danvan_desktop.transport.package_format import ReturnAttachment
from danvan_desktop.transport.reader import VerifiedPackage

log = logging.getLogger(__name__)

TRUST_DIR_SETTING = "sign.trust_dir"
TRUST_DIR_NAME = "trusted-roots"


@dataclass
class ReturnOutcome:
    """One attached return, as the import report shows it."""

    kind: str
    unit: str
    period: str
    series: str
    number: int
    code: str = ""  # the paper code, grouped ("ABCD-EFGH-IJKL-M"); "" without a statement
    signer: str = ""
    organization: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        return bool(self.problems)

    def line(self) -> str:
        symbol = self.series.split(":", 1)[0]
        head = f"số {self.number}/{symbol} của {self.unit}, kỳ {self.period}"
        if not self.problems:
            who = f", ký bởi {self.signer}" + (f" và {self.organization}" if self.organization else "")
            return f"✓ Báo cáo {head}{who}: chữ ký hợp lệ, số liệu khớp với dữ liệu đã nhận."
        return f"✗ Báo cáo {head}: CẦN XEM LẠI — " + "; ".join(self.problems) + "."

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "unit": self.unit,
            "period": self.period,
            "series": self.series,
            "number": self.number,
            "code": self.code,
            "signer": self.signer,
            "organization": self.organization,
            "flagged": self.flagged,
            "problems": self.problems,
        }


def returns_to_attach(session: Session, pdfs: Sequence[Path]) -> list[ReturnAttachment]:
    """The office's own signed returns to send with a package; a clear refusal for any other file."""
    from danvan_desktop.services.reporting.pdf_verify import signature_count
    from danvan_desktop.services.reporting.return_code import read_statement

    site_id = session.scalars(select(Installation.site_id)).one()
    attached = []
    for path in pdfs:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise UserError(f"Không đọc được tệp báo cáo «{path}»: {exc.strerror}.") from exc
        if not data.startswith(b"%PDF-"):
            raise UserError(f"«{path}» không phải tệp PDF.")
        try:
            signed = read_statement(data)
        except ValueError as exc:
            raise UserError(
                f"«{Path(path).name}»: thông tin xác minh trong tệp bị hỏng.", detail=repr(exc)
            ) from exc
        if signed is None or signed.statement.site != site_id:
            raise UserError(
                f"«{Path(path).name}» không phải báo cáo có số do đơn vị này phát hành bằng Dân Vận Desktop: "
                "chỉ gửi kèm được báo cáo của chính đơn vị."
            )
        if not signature_count(data):
            raise UserError(
                f"«{Path(path).name}» chưa được ký số: hãy ký số (Ký số… hoặc danvan sign) trước."
            )
        st = signed.statement
        attached.append(ReturnAttachment(st.kind, st.unit, st.period, st.series, st.number, data))
    return attached


def check_return_origin(session: Session, package: VerifiedPackage, trusted_office: str | None) -> None:
    """Refuse the whole package (a forgery signal, as a foreign record) when a return it carries is
    of a unit that is neither the sender's nor under it in the return's period."""
    entries = package.manifest.returns or []
    if not entries:
        return
    hierarchy = Hierarchy.load(session)
    sender = trusted_office or package.manifest.office_unit
    foreign = [e for e in entries if hierarchy.is_under(e.unit, sender, e.period) is not True]
    if foreign:
        first = foreign[0]
        raise ForeignOriginError(
            f"Gói {package.path.name} của {hierarchy.label(sender)} mang báo cáo số {first.number} của "
            f"{hierarchy.label(first.unit)} (kỳ {first.period}), đơn vị không thuộc "
            f"{hierarchy.label(sender)}. "
            "Một đơn vị chỉ được gửi báo cáo của chính mình và các đơn vị trực thuộc: đã từ chối cả gói, "
            "không lưu gì. Hãy báo cho quản trị viên.",
            detail=f"returns of units {[e.unit for e in foreign][:10]} not under {sender!r}",
        )


def office_trust_roots(session: Session) -> list[Any] | None:
    """The root certificates this office trusts (sign.trust_dir, else trusted-roots in the data
    folder); None when none are installed: the chain is then reported as not checked."""
    from danvan_desktop.paths import user_paths
    from danvan_desktop.services.office.settings import get_setting
    from danvan_desktop.services.reporting.pdf_verify import load_trust_roots

    configured = (get_setting(session, TRUST_DIR_SETTING) or "").strip()
    folder = Path(configured) if configured else user_paths().data_dir / TRUST_DIR_NAME
    try:
        return load_trust_roots(folder)
    except UserError as exc:
        log.info("no trusted roots: %s", exc.message)
        return None


def examine_package_returns(
    session: Session, package: VerifiedPackage, *, store: bool, sender_unit: str
) -> list[ReturnOutcome]:
    """Check every attached return against the records this session sees (merged from the same
    package when called after the merge); with `store`, keep each PDF and its findings."""
    from danvan_desktop.paths import user_paths
    from danvan_desktop.services.office.orgunits import find_unit, unit_label
    from danvan_desktop.services.reporting.return_check import examine_return
    from danvan_desktop.services.reporting.return_code import code_body
    from danvan_desktop.transport.keys import public_key_from_raw

    pairs = package.return_pdfs()
    if not pairs:
        return []
    roots = office_trust_roots(session)
    public = public_key_from_raw(package.public_key)
    profiles = user_paths().profiles_dir
    outcomes = []
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    for entry, pdf in pairs:
        expected = {
            "kind": entry.kind,
            "unit": entry.unit,
            "period": entry.period,
            "series": entry.series,
            "number": entry.number,
        }
        found = examine_return(
            session,
            pdf,
            roots,
            site_public_key=public,
            site_id=package.manifest.site_id,
            expected=expected,
            profiles_dir=profiles,
        )
        try:
            label = unit_label(find_unit(session, entry.unit))
        except UserError:
            label = entry.unit
        outcome = ReturnOutcome(
            entry.kind,
            label,
            entry.period,
            entry.series,
            entry.number,
            code=found.statement.code if found.statement else "",
            signer=found.signer,
            organization=found.organization if found.organization != found.signer else "",
            problems=found.problems,
        )
        outcomes.append(outcome)
        if store:
            session.add(
                ReceivedReturn(
                    package_id=package.manifest.package_id,
                    site_id=package.manifest.site_id,
                    sender_unit=sender_unit,
                    received_at=now,
                    kind=entry.kind,
                    unit_code=entry.unit,
                    period_code=entry.period,
                    series=entry.series,
                    number=entry.number,
                    code=code_body(found.statement.signature) if found.statement else "",
                    statement=found.statement.to_json() if found.statement else None,
                    signer=found.signer[:200],
                    organization=found.organization[:200],
                    flagged=outcome.flagged,
                    problems=outcome.problems,
                    pdf=pdf,
                )
            )
    return outcomes
