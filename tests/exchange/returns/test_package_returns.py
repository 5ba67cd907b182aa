"""Signed returns travel with their data (format 3): the district verifies each and compares its figures.

Phúc Chu issues and signs its 2023 return in its own database, sends it with its records, and the
district (a real database that trusts the test CA) checks the PAdES signatures, the site's signed
statement and the figures against the records merged from the same package. Hostile packages are
re-signed with Phúc Chu's real key, as in test_hostile_packages.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from danvan_desktop.db.engine import Database
from danvan_desktop.db.models import ReceivedReturn
from danvan_desktop.errors import UserError
from danvan_desktop.reports.profile import load_profile
from danvan_desktop.services.exchange.origin import ForeignOriginError
from danvan_desktop.services.exchange.package_export import export_package
from danvan_desktop.services.exchange.signing_keys import signing_key
from danvan_desktop.services.office.installation import load_installation
from danvan_desktop.services.office.settings import set_setting
from danvan_desktop.services.reporting.common import load_letterhead
from danvan_desktop.services.reporting.pdf_signing import Appearance, load_p12, sign_pdf
from danvan_desktop.services.reporting.report_output import ReportRequest, save_report
from danvan_desktop.services.reporting.return_check import check_code
from danvan_desktop.transport.package_format import PackageError
from danvan_desktop.transport.reader import open_package
from tests.cli.conftest import run
from tests.exchange.conftest import Site
from tests.exchange.hostile import Forger
from tests.signing.conftest import P12_PASSPHRASE, Pki

REQUEST = ReportRequest(kind="return", unit="DH-PHUCCHU", period="2023", date=dt.date(2023, 2, 5))


def _issue_signed(db: Database, pki: Pki, out: Path) -> Path:
    signer = load_p12(pki.signer_p12, P12_PASSPHRASE)
    appearance = Appearance(load_profile("nha_nuoc").digital_signature)
    save_report(db, REQUEST, out, sign=lambda pdf: sign_pdf(pdf, signer, appearance))
    return out


def _stored(site: Site) -> list[ReceivedReturn]:
    with site.db.session() as session:
        return list(session.scalars(select(ReceivedReturn)))


def test_a_signed_return_travels_with_its_data_and_is_verified(
    phuc_chu_db: Database,
    test_pki: Pki,
    trusting_district: Site,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pdf = _issue_signed(phuc_chu_db, test_pki, tmp_path / "bc-2023.pdf")
    package = tmp_path / "pc.danvan"
    export_package(phuc_chu_db, package, returns=[pdf])
    opened = open_package(package)
    assert opened.manifest.format_version == 3
    assert [(e.unit, e.number) for e, _pdf in opened.return_pdfs()] == [("DH-PHUCCHU", 1)]
    assert opened.return_pdfs()[0][1] == pdf.read_bytes()

    report = trusting_district.import_(package, accept_new_site=True)
    assert report.status == "applied"
    [outcome] = report.returns
    assert not outcome.flagged, outcome.problems
    assert outcome.signer == "Nguyễn Văn An" and outcome.number == 1
    [row] = _stored(trusting_district)
    assert not row.flagged and row.pdf == pdf.read_bytes()

    # The paper copy's code, typed at the district, finds the return and matches the merged data.
    with trusting_district.db.session() as session:
        [match] = check_code(session, outcome.code.lower().replace("-", " "))
    assert match.ok and match.number == 1 and match.unit_label == "Xã Phúc Chu"
    db = ["--db", trusting_district.db.path]
    code, out, err = run(capsys, *db, "verify-code", outcome.code)
    assert code == 0 and "KHỚP" in out and "Xã Phúc Chu" in out, (out, err)
    # One character mistyped: the check character catches it, bad input.
    wrong = ("A" if outcome.code[0] != "A" else "B") + outcome.code[1:]
    code, out, err = run(capsys, *db, "verify-code", wrong)
    assert code == 2 and "gõ nhầm" in err and "Traceback" not in err
    code, out, err = run(capsys, *db, "verify-code", "0123")
    assert code == 2 and "13 ký tự" in err
    code, out, _err = run(capsys, *db, "returns")
    assert code == 0 and "Nguyễn Văn An" in out
    # verify-pdf at the district: signatures, the number and code, figures against its data.
    code, out, err = run(capsys, *db, "verify-pdf", pdf, "--trust-dir", test_pki.trust_dir)
    assert code == 0 and outcome.code in out and "KHỚP với số liệu" in out, (out, err)


def test_an_office_without_its_own_letterhead_still_checks_the_figures(
    phuc_chu_db: Database, test_pki: Pki, district: Site, tmp_path: Path
) -> None:
    """The figures a return signs leave its letterhead out, so the office above compares them even
    before it has typed its own signer and issuing body (it lays the return out only to compare)."""
    with district.db.transaction() as session:
        set_setting(session, "sign.trust_dir", str(test_pki.trust_dir))  # trusted CA, nothing else
    pdf = _issue_signed(phuc_chu_db, test_pki, tmp_path / "bc-2023.pdf")
    package = tmp_path / "pc.danvan"
    export_package(phuc_chu_db, package, returns=[pdf])
    report = district.import_(package, accept_new_site=True)
    assert report.status == "applied"
    [outcome] = report.returns
    assert not outcome.flagged, outcome.problems
    # Printing its own return still asks for them.
    with district.db.session() as session, pytest.raises(UserError, match="Chưa khai báo"):
        load_letterhead(session)


def test_a_return_whose_figures_differ_from_its_data_is_flagged(
    phuc_chu_db: Database,
    test_pki: Pki,
    trusting_district: Site,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tests.reports.factories import PHUC_CHU

    pdf = _issue_signed(phuc_chu_db, test_pki, tmp_path / "bc-2023.pdf")
    first = tmp_path / "pc-1.danvan"
    export_package(phuc_chu_db, first)
    assert trusting_district.import_(first, accept_new_site=True).status == "applied"
    code = next(iter(open_package_code(pdf)))
    # After issuing, the commune changes a figure and sends the changed data with the old return.
    _change_a_dialogue(phuc_chu_db, PHUC_CHU)
    second = tmp_path / "pc-2.danvan"
    export_package(phuc_chu_db, second, since_last=True, returns=[pdf])
    exit_code, out, err = run(capsys, "--db", trusting_district.db.path, "import", second)
    assert exit_code == 1, (out, err)
    assert "CẦN XEM LẠI" in err and "số liệu trong báo cáo khác với số liệu đã nhận" in err
    assert "Traceback" not in err
    [row] = _stored(trusting_district)
    assert row.flagged and "số liệu trong báo cáo khác với số liệu đã nhận của đơn vị" in row.problems
    # The paper code no longer matches what the district holds.
    with trusting_district.db.session() as session:
        [match] = check_code(session, code)
    assert not match.ok and match.figures.matches is False
    exit_code, out, _err = run(capsys, "--db", trusting_district.db.path, "verify-code", code)
    assert exit_code == 1 and "KHÔNG KHỚP" in out
    exit_code, out, _err = run(capsys, "--db", trusting_district.db.path, "returns", "--flagged")
    assert exit_code == 1 and "số liệu trong báo cáo khác" in out


def open_package_code(pdf: Path) -> Iterator[str]:
    from danvan_desktop.services.reporting.return_code import read_statement

    signed = read_statement(pdf.read_bytes())
    assert signed is not None
    yield signed.code


def _change_a_dialogue(db: Database, unit_code: str) -> None:
    from danvan_desktop.db.models import Record
    from danvan_desktop.services.entry.entry import Writer, save_entry
    from danvan_desktop.services.office.forms import get_form
    from danvan_desktop.services.office.orgunits import find_unit
    from danvan_desktop.services.office.periods import get_period

    with db.transaction() as session:
        unit, period = find_unit(session, unit_code), get_period(session, "2023")
        record = session.scalars(
            select(Record).where(
                Record.form_id == "doi_thoai_tiep_dan",
                Record.org_unit_id == unit.id,
                Record.deleted.is_(False),
            )
        ).first()
        assert record is not None
        values = dict(record.values) | {"so_nguoi_du": int(record.values.get("so_nguoi_du") or 0) + 7}
        site_id = load_installation(session).site_id
        save_entry(
            session,
            get_form("doi_thoai_tiep_dan"),
            unit.id,
            period.id,
            values,
            writer=Writer(site_id, "Nguyễn Thị Lan"),
            record_id=record.id,
        )


@pytest.fixture
def forger(phuc_chu_db: Database, test_pki: Pki, tmp_path: Path) -> tuple[Forger, bytes]:
    """Phúc Chu's genuine package (records only) and key, and its genuinely signed return."""
    pdf = _issue_signed(phuc_chu_db, test_pki, tmp_path / "bc.pdf").read_bytes()
    genuine = tmp_path / "genuine.danvan"
    export_package(phuc_chu_db, genuine)
    with phuc_chu_db.session() as session:
        site_id = load_installation(session).site_id
    folder = tmp_path / "forged"
    folder.mkdir()
    return Forger(genuine, signing_key(phuc_chu_db.path, site_id), folder), pdf


def _with_returns(
    forger: Forger, name: str, pdfs: list[tuple[dict[str, object], bytes]], blob: bytes | None = None
) -> Path:
    """A package re-signed with the real key, carrying `pdfs` (entry fields, bytes) in returns.pdfs."""
    data = blob if blob is not None else b"".join(pdf for _entry, pdf in pdfs)
    entries, offset = [], 0
    for fields, pdf in pdfs:
        entry = {
            "offset": offset,
            "size": len(pdf),
            "sha256": hashlib.sha256(pdf).hexdigest(),
            "kind": "return",
            "unit": "DH-PHUCCHU",
            "period": "2023",
            "series": "BC-UBND:2023",
            "number": 1,
        } | fields
        entries.append(entry)
        offset += len(pdf)
    records = b"".join(
        json.dumps(r, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode() + b"\n"
        for r in forger.records()
    )
    members = {
        "records.jsonl": {"sha256": hashlib.sha256(records).hexdigest(), "size": len(records)},
        "returns.pdfs": {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)},
    }
    return forger.package(
        name,
        manifest={"format_version": 3, "returns": entries, "members": members},
        members=lambda content: [*content.items(), ("returns.pdfs", data)],
    )


def _series(pdf: bytes) -> str:
    from danvan_desktop.services.reporting.return_code import read_statement

    signed = read_statement(pdf)
    assert signed is not None
    return signed.statement.series


def _refused(site: Site, package: Path, message: str) -> None:
    with pytest.raises(UserError) as caught:
        site.import_(package, accept_new_site=True)
    assert message in caught.value.message
    assert _stored(site) == []


def test_hostile_pdf_member_not_matching_its_manifest_is_refused(
    forger: tuple[Forger, bytes], trusting_district: Site
) -> None:
    site, pdf = forger
    entry = {"series": _series(pdf)}
    changed = bytearray(pdf)
    changed[len(changed) // 2] ^= 0x01
    # The member's bytes differ from the hash its entry gives (the member hash itself is right).
    package = _with_returns(site, "mismatch.danvan", [(entry, pdf)], blob=bytes(changed))
    with pytest.raises(PackageError) as caught:
        trusting_district.import_(package, accept_new_site=True)
    assert "không khớp với manifest" in caught.value.message
    assert _stored(trusting_district) == []


def test_hostile_tampered_pdf_is_flagged_not_accepted(
    forger: tuple[Forger, bytes], trusting_district: Site
) -> None:
    site, pdf = forger
    changed = bytearray(pdf)
    at = changed.index(b"stream") + 40  # inside the first page's content: covered by the signature
    changed[at] ^= 0x01
    package = _with_returns(site, "tampered.danvan", [({"series": _series(pdf)}, bytes(changed))])
    report = trusting_district.import_(package, accept_new_site=True)
    [outcome] = report.returns
    assert outcome.flagged and any("không còn nguyên vẹn" in p for p in outcome.problems), outcome.problems
    [row] = _stored(trusting_district)
    assert row.flagged


def test_hostile_pdf_described_as_another_number_is_flagged(
    forger: tuple[Forger, bytes], trusting_district: Site
) -> None:
    site, pdf = forger
    package = _with_returns(site, "renumbered.danvan", [({"series": _series(pdf), "number": 7}, pdf)])
    [outcome] = trusting_district.import_(package, accept_new_site=True).returns
    assert any("không khớp với mô tả trong gói" in p for p in outcome.problems), outcome.problems


def test_hostile_pdf_for_another_unit_refuses_the_whole_package(
    forger: tuple[Forger, bytes], trusting_district: Site
) -> None:
    site, pdf = forger
    package = _with_returns(site, "foreign.danvan", [({"series": _series(pdf), "unit": "DH-BAOLINH"}, pdf)])
    with pytest.raises(ForeignOriginError) as caught:
        trusting_district.import_(package, accept_new_site=True)
    assert "Xã Bảo Linh" in caught.value.message and "đã từ chối cả gói" in caught.value.message
    assert _stored(trusting_district) == []


def test_export_refuses_a_pdf_that_is_not_the_office_own_signed_return(
    phuc_chu_db: Database, tmp_path: Path
) -> None:
    unsigned = tmp_path / "bc.pdf"
    save_report(phuc_chu_db, REQUEST, unsigned)
    with pytest.raises(UserError, match="chưa được ký số"):
        export_package(phuc_chu_db, tmp_path / "x.danvan", returns=[unsigned])
    other = tmp_path / "other.pdf"
    other.write_bytes(b"%PDF-1.4\n%%EOF\n")
    with pytest.raises(UserError):
        export_package(phuc_chu_db, tmp_path / "y.danvan", returns=[other])
    assert not (tmp_path / "x.danvan").exists() and not (tmp_path / "y.danvan").exists()
