"""The office above checks a signed return against its data: PAdES signatures, site statement, figures."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.errors import UserError
from danvan_desktop.services.reporting.common import FIGURES_ONLY
from danvan_desktop.services.reporting.pdf_verify import PdfCheck, check_pdf
from danvan_desktop.services.reporting.return_code import (
    SignedStatement,
    Statement,
    figures_digest,
    printed_figures,
    read_statement,
)

log = logging.getLogger(__name__)


@dataclass
class FiguresCheck:
    """The return's figures recomputed from the records this office holds, against what it states."""

    matches: bool | None  # None: could not be recomputed here (see `problem`)
    text_ok: bool | None  # every figure recomputed is printed on the pages (text extraction)
    problem: str = ""
    missing: list[str] = field(default_factory=list)  # figures recomputed but not found in the text
    digest: str = ""  # of the figures laid out now ("" when they could not be)


def recompute_figures(
    session: Session, statement: Statement, pdf: bytes | None, profiles_dir: Path | None
) -> FiguresCheck:
    """Lay the return out again from this office's records (as a reading copy) and compare.

    The digest says whether the tables are those the site signed; the text extracted from the PDF
    says whether the pages print them (a site could embed one digest and print other figures).
    """
    from danvan_desktop.reports.profile import ProfileError
    from danvan_desktop.services.reporting.pushed_profiles import office_profile
    from danvan_desktop.services.reporting.report_output import ReportRequest, build_document

    try:
        profile = office_profile(session, statement.profile, profiles_dir)
    except (ProfileError, UserError) as exc:
        return FiguresCheck(
            None, None, f"không có mẫu văn bản «{statement.profile}» ở đây để dựng lại báo cáo: {exc}"
        )
    request = ReportRequest(
        kind="return" if statement.kind == "return" else "summary",
        unit=statement.unit,
        period=statement.period,
        date=dt.date.today(),
        profile=statement.profile,
        structure=statement.structure,
    )
    session.info[FIGURES_ONLY] = True  # an office without its own letterhead still checks the figures
    try:
        doc = build_document(session, request, profile, None)  # reads only
    except UserError as exc:
        return FiguresCheck(
            False,
            None,
            f"chưa đối chiếu được số liệu (không dựng lại được báo cáo từ số liệu đã nhận): {exc.message}",
        )
    finally:
        session.info.pop(FIGURES_ONLY, None)
    digest = figures_digest(doc)
    matches = digest == statement.figures_sha256
    text_ok, missing = None, []
    if pdf is not None:
        text = _squeezed(pdf_text(pdf))
        missing = [cell for cell in printed_figures(doc) if _squeeze(cell) not in text]
        text_ok = not missing
    problem = "" if matches else "số liệu trong báo cáo khác với số liệu đã nhận của đơn vị"
    if matches and text_ok is False:
        problem = "số in trên báo cáo khác với số liệu đã ký: " + ", ".join(missing[:5])
    return FiguresCheck(matches, text_ok, problem, missing, digest)


def _squeeze(text: str) -> str:
    return "".join(text.split())


def _squeezed(text: str) -> str:
    return _squeeze(text)


def pdf_text(pdf: bytes) -> str:
    """Every page's text (pdfium): what a person reads on the printed return."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        parts = []
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            parts.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return "\n".join(parts)
    finally:
        document.close()


@dataclass
class ReturnFindings:
    """Everything the office above learns from one signed return PDF."""

    statement: SignedStatement | None
    pdf: PdfCheck | None
    figures: FiguresCheck | None
    problems: list[str]

    @property
    def flagged(self) -> bool:
        return bool(self.problems)

    @property
    def signer(self) -> str:
        return self.pdf.signatures[0].signer if self.pdf and self.pdf.signatures else ""

    @property
    def organization(self) -> str:
        if not self.pdf:
            return ""
        names = [s.organization or s.signer for s in self.pdf.signatures[1:]]
        return names[0] if names else (self.pdf.signatures[0].organization if self.pdf.signatures else "")


def signature_problems(check: PdfCheck) -> list[str]:
    """What is wrong with the PAdES signatures, in Vietnamese; [] when all are good."""
    if not check.signatures:
        return ["báo cáo chưa được ký số"]
    problems = []
    for sig in check.signatures:
        who = sig.signer or sig.field
        if not (sig.intact and sig.valid):
            problems.append(f"chữ ký số của {who} không còn nguyên vẹn (tệp đã bị sửa)")
        elif sig.changed_after:
            problems.append(f"văn bản đã bị sửa sau khi {who} ký")
        if not sig.trusted:
            problems.append(f"chứng thư của {who} không tin cậy: {sig.problem or 'không rõ'}")
    return problems


def examine_return(
    session: Session,
    pdf: bytes,
    roots: list[Any] | None,
    *,
    site_public_key: Any | None,
    site_id: str | None,
    expected: dict[str, Any] | None = None,
    profiles_dir: Path | None = None,
) -> ReturnFindings:
    """Check one return PDF: signatures (against `roots`; None: no trusted roots installed), the
    statement (signed by the sending site's key), what the package says it is, and its figures."""
    problems: list[str] = []
    try:
        pdf_check: PdfCheck | None = check_pdf(pdf, roots or [])
    except UserError as exc:
        return ReturnFindings(None, None, None, [f"tệp không đọc được: {exc.message}"])
    assert pdf_check is not None
    problems += signature_problems(pdf_check)
    if roots is None:
        problems = [p for p in problems if "không tin cậy" not in p]
        problems.append("chưa cài chứng thư gốc tin cậy: chưa kiểm tra được chuỗi chứng thư")
    try:
        signed = read_statement(pdf)
    except ValueError as exc:
        log.info("statement unreadable: %r", exc)
        return ReturnFindings(None, pdf_check, None, [*problems, "thông tin xác minh trong tệp bị hỏng"])
    if signed is None:
        return ReturnFindings(None, pdf_check, None, [*problems, "tệp không mang thông tin xác minh số liệu"])
    statement = signed.statement
    if site_id is not None and statement.site != site_id:
        problems.append("báo cáo do máy khác phát hành, không phải máy của đơn vị gửi gói")
    if site_public_key is not None and not signed.verifies(site_public_key):
        problems.append("thông tin xác minh không đúng chữ ký của đơn vị gửi (mã xác minh giả)")
    if expected is not None:
        said = {k: getattr(statement, k) for k in expected}
        if said != expected:
            wrong = ", ".join(
                f"{k}: gói ghi «{expected[k]}», tệp ghi «{said[k]}»"
                for k in expected
                if said[k] != expected[k]
            )
            problems.append(f"tệp không khớp với mô tả trong gói ({wrong})")
    figures = recompute_figures(session, statement, pdf, profiles_dir)
    if figures.problem:
        problems.append(figures.problem)
    return ReturnFindings(signed, pdf_check, figures, problems)


@dataclass(frozen=True)
class CodeMatch:
    """A typed paper code, looked up among the returns received and checked against today's data."""

    unit_label: str
    period: str
    number: int
    series: str
    kind: str
    sender: str
    received_at: dt.datetime
    signature_ok: bool  # the site's full signature verifies over the statement recomputed now
    figures: FiguresCheck
    flagged_at_import: list[str]

    @property
    def ok(self) -> bool:
        return self.signature_ok and bool(self.figures.matches)


def check_code(session: Session, typed: str, profiles_dir: Path | None = None) -> list[CodeMatch]:
    """The received returns the code belongs to ([] when none), each checked against the data now."""
    from danvan_desktop.db.models import ReceivedReturn, TrustedSite
    from danvan_desktop.services.office.orgunits import find_unit, unit_label
    from danvan_desktop.services.reporting.return_code import normalize_code
    from danvan_desktop.transport.keys import public_key_from_raw
    from danvan_desktop.transport.package_format import decode_base64

    body = normalize_code(typed)
    rows = session.scalars(select(ReceivedReturn).where(ReceivedReturn.code == body)).all()
    found = []
    for row in rows:
        signed = read_statement(row.pdf)
        assert signed is not None  # a code is stored only with its statement
        site = session.get(TrustedSite, row.site_id)
        raw = decode_base64(site.public_key) if site is not None else None
        figures = recompute_figures(session, signed.statement, None, profiles_dir)
        # The full signature over the statement as it would read with the figures of today's data:
        # the typed code stands for a signature that must verify over exactly that.
        now = replace(signed.statement, figures_sha256=figures.digest or "0" * 64)
        signature_ok = raw is not None and SignedStatement(now, signed.signature).verifies(
            public_key_from_raw(raw)
        )
        try:
            label = unit_label(find_unit(session, row.unit_code))
        except UserError:
            label = row.unit_code
        found.append(
            CodeMatch(
                label,
                row.period_code,
                row.number,
                row.series,
                row.kind,
                row.sender_unit,
                row.received_at,
                signature_ok,
                figures,
                list(row.problems),
            )
        )
    return found


def match_lines(match: CodeMatch) -> list[str]:
    """What a typed code matched, in Vietnamese: the CLI and the verify screen print the same lines."""
    from danvan_desktop.localtime import local_time_text

    symbol = match.series.split(":", 1)[0]
    lines = [
        f"Báo cáo số {match.number}/{symbol} của {match.unit_label}, kỳ {match.period} "
        f"(nhận lúc {local_time_text(match.received_at)})"
    ]
    lines.append(
        "  - chữ ký của đơn vị trên số liệu hiện có: " + ("hợp lệ" if match.signature_ok else "KHÔNG khớp")
    )
    if match.figures.matches:
        lines.append("  - số liệu: KHỚP với số liệu đã nhận")
    else:
        lines.append(f"  - số liệu: KHÁC — {match.figures.problem or 'không đối chiếu được'}")
    lines += [f"  - khi nhận gói đã ghi: {problem}" for problem in match.flagged_at_import]
    return lines


def inspect_return(session: Session, pdf: bytes, profiles_dir: Path | None) -> ReturnFindings:
    """A return PDF opened at this office (a file, or one received in a package): every check, with
    the issuing site's key as this office knows it (trusted sender, or this installation itself)."""
    from danvan_desktop.db.models import Installation, TrustedSite
    from danvan_desktop.services.exchange.package_returns import office_trust_roots
    from danvan_desktop.transport.keys import public_key_from_raw, public_key_raw

    roots = office_trust_roots(session)
    try:
        signed = read_statement(pdf)
    except ValueError:
        signed = None
    key = None
    site_id = None
    if signed is not None:
        site_id = signed.statement.site
        site = session.get(TrustedSite, site_id)
        own = session.scalars(select(Installation)).one()
        from danvan_desktop.transport.package_format import decode_base64

        if site is not None:
            raw = decode_base64(site.public_key)
            key = public_key_from_raw(raw) if raw is not None else None
        elif own.site_id == site_id and (own_raw := decode_base64(own.public_key or "")):
            # The office's own return: its public key is in the installation row, on either engine.
            key = public_key_from_raw(own_raw)
        elif own.site_id == site_id:  # an installation row without it: the key file beside the file
            from danvan_desktop.services.exchange.signing_keys import signing_key
            from danvan_desktop.transport.keys import KeyFileError

            db_path = _database_path(session)
            try:
                if db_path is not None:
                    key = public_key_from_raw(public_key_raw(signing_key(db_path, site_id)))
            except KeyFileError:  # a server database: the key lies beside the file it was made from
                key = None
    findings = examine_return(
        session, pdf, roots, site_public_key=key, site_id=site_id, profiles_dir=profiles_dir
    )
    if signed is not None and key is None:
        findings.problems.append("báo cáo của đơn vị chưa được tin cậy ở đây: chưa kiểm tra được mã xác minh")
    return findings


def _database_path(session: Session) -> Path | None:
    bind = session.get_bind()
    database = getattr(getattr(bind, "url", None), "database", None)
    return Path(database) if database else None


def findings_lines(findings: ReturnFindings, trust_folder: str) -> list[str]:
    """The verify screen's text: each signature, the chain against the office's folder, the figures."""
    lines: list[str] = []
    check = findings.pdf
    for i, sig in enumerate(check.signatures if check else [], 1):
        who = sig.signer + (
            f" ({sig.organization})" if sig.organization and sig.organization != sig.signer else ""
        )
        when = f"{sig.signed_at:%d/%m/%Y %H:%M} (giờ máy tính của người ký)" if sig.signed_at else "?"
        lines.append(f"Chữ ký {i}: {who}, chứng thư do {sig.issuer} cấp, ký lúc {when}")
        lines.append(f"  • Nguyên vẹn: {'có' if sig.intact and sig.valid else 'KHÔNG — tệp đã bị sửa'}")
        chain = "tin cậy" if sig.trusted else f"KHÔNG tin cậy ({sig.problem or 'không rõ'})"
        lines.append(f"  • Chuỗi chứng thư (thư mục {trust_folder}): {chain}")
        lines.append(f"  • Sau khi ký: {'không bị sửa' if not sig.changed_after else 'ĐÃ BỊ SỬA'}")
    if check is not None and not check.signatures:
        lines.append("Tệp chưa có chữ ký số nào.")
    if findings.statement is not None:
        st = findings.statement.statement
        symbol = st.series.split(":", 1)[0]
        lines.append(
            f"Báo cáo số {st.number}/{symbol} của {st.unit}, kỳ {st.period}; "
            f"mã xác minh {findings.statement.code}"
        )
    figures = findings.figures
    if figures is not None:
        if figures.matches and figures.text_ok is not False:
            lines.append("Số liệu: KHỚP với số liệu đã nhận (và đúng như in trên các trang).")
        elif figures.matches is None:
            lines.append(f"Số liệu: chưa đối chiếu được — {figures.problem}")
        else:
            lines.append(f"Số liệu: KHÁC — {figures.problem}")
    verdict = "CẦN XEM LẠI: " + "; ".join(findings.problems) + "." if findings.flagged else "HỢP LỆ."
    lines.append(verdict)
    return lines
