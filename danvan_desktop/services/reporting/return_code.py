"""A return's signed statement (number, unit, period, figures digest) and the short code printed on paper."""

# How the code is short yet signed: when a numbered return is laid out, the issuing site signs a
# *statement* — document number and series, unit, period, kind, layout profile and the SHA-256 of the
# figures the return prints — with its Ed25519 site key (the key its packages are signed with). The full
# statement and its 64-byte signature are embedded in the PDF (catalog key `/DanVanReturn`, inside the
# bytes the PAdES signatures cover) and travel with the return in a format-3 package. The paper copy
# carries only the first 60 bits of that signature, in RFC 4648 base32 (12 letters and digits 2–7, no
# 0/1/8 to confuse with O/I/B) plus one Luhn mod 32 check character (ISO/IEC 7812's Luhn algorithm over
# that alphabet) that catches any single mistyped character: `ABCD-EFGH-IJKL-M`. The office above finds
# the return it received under that code, recomputes the statement from the records it merged, and checks
# the **full** signature with the key it accepted for the sending site. Sixty bits are not there to resist
# forging (nobody without the key can make a valid signature at all): they make a wrong code or a code of
# another return collide with a received one with odds of 1 in 10^18.

from __future__ import annotations

import base64
import hashlib
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from danvan_desktop.errors import UserError
from danvan_desktop.reports import document as d
from danvan_desktop.transport.package_format import canonical_json, decode_base64, encode_base64

STATEMENT_FORMAT = "danvan-return"
STATEMENT_VERSION = 1
PDF_KEY = "/DanVanReturn"  # in the PDF's catalog: {"statement": {...}, "signature": "...", "code": "..."}
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"  # RFC 4648 base32
CODE_BODY = 12  # characters of the signature's prefix: 60 bits
_TYPED_ALIKE = str.maketrans({"0": "O", "1": "I", "8": "B"})  # digits the alphabet lacks, typed for letters


class CodeError(UserError):
    """A typed code that cannot be a verification code (wrong length, letters, check character)."""


def figures_digest(doc: d.ReportDocument) -> str:
    """SHA-256 of every figure the return prints: its tables (rows, totals) and charts, body and annex.

    The narrative paragraphs and the letterhead are left out on purpose: they name the office that
    lays the return out, so the office above (which lays it out as a reading copy) could not recompute
    them, while the tables are the same wherever the same records are summed.
    """
    figures: list[Any] = []
    for block in (*doc.body, *doc.annex):
        if isinstance(block, d.Table):
            figures.append(
                {
                    "table": block.title,
                    "columns": [c.label for c in block.columns],
                    "rows": [list(r) for r in block.rows],
                    "total": list(block.total) if block.total is not None else None,
                }
            )
        elif isinstance(block, d.BarChart):
            figures.append({"chart": block.title, "labels": list(block.labels), "values": list(block.values)})
    return hashlib.sha256(canonical_json(figures)).hexdigest()


def printed_figures(doc: d.ReportDocument) -> list[str]:
    """The cells with digits of the return's tables: what a text cross-check looks for on the pages."""
    cells: list[str] = []
    for block in (*doc.body, *doc.annex):
        if isinstance(block, d.Table):
            for row in (*block.rows, *((block.total,) if block.total else ())):
                cells.extend(c for c in row if any(ch.isdigit() for ch in c))
    return cells


@dataclass(frozen=True)
class Statement:
    """What the issuing site signs about one numbered return."""

    site: str
    unit: str
    period: str
    kind: str  # "return" or "summary"
    structure: str  # summaries: "ky", "moi" or "cu" (the figures depend on it)
    profile: str
    series: str
    number: int
    figures_sha256: str

    def to_json(self) -> dict[str, Any]:
        return {
            "format": STATEMENT_FORMAT,
            "v": STATEMENT_VERSION,
            "site": self.site,
            "unit": self.unit,
            "period": self.period,
            "kind": self.kind,
            "structure": self.structure,
            "profile": self.profile,
            "series": self.series,
            "number": self.number,
            "figures_sha256": self.figures_sha256,
        }

    @classmethod
    def from_json(cls, value: Any) -> Statement:
        """A statement read from a PDF (untrusted): ValueError when it is not one of ours."""
        if not isinstance(value, Mapping) or value.get("format") != STATEMENT_FORMAT:
            raise ValueError("not a danvan-return statement")
        if value.get("v") != STATEMENT_VERSION:
            raise ValueError(f"statement version {value.get('v')!r}")
        texts = ("site", "unit", "period", "kind", "structure", "profile", "series", "figures_sha256")
        if set(value) != {"format", "v", "number", *texts}:
            raise ValueError("statement fields differ")
        if not all(isinstance(value[k], str) and 0 < len(value[k]) <= 100 for k in texts):
            raise ValueError("statement text fields")
        if type(value["number"]) is not int or value["number"] < 1:
            raise ValueError("statement number")
        if not re.fullmatch(r"[0-9a-f]{64}", value["figures_sha256"]):
            raise ValueError("statement digest")
        return cls(**{k: value[k] for k in (*texts, "number")})

    def signed_bytes(self) -> bytes:
        return canonical_json(self.to_json())


@dataclass(frozen=True)
class SignedStatement:
    statement: Statement
    signature: bytes  # Ed25519, 64 bytes

    @property
    def code(self) -> str:
        return code_of(self.signature)

    def verifies(self, public_key: Ed25519PublicKey) -> bool:
        try:
            public_key.verify(self.signature, self.statement.signed_bytes())
        except InvalidSignature:
            return False
        return True

    def to_json(self) -> dict[str, Any]:
        return {
            "statement": self.statement.to_json(),
            "signature": encode_base64(self.signature),
            "code": self.code,
        }


def sign_statement(statement: Statement, key: Ed25519PrivateKey) -> SignedStatement:
    return SignedStatement(statement, key.sign(statement.signed_bytes()))


def _luhn_sum(text: str) -> int:
    """Luhn mod N (N = 32) over ALPHABET, from the right: every second value doubled, base-N digits summed.

    Written here rather than taken from python-stdnum (which the tests check it against): that package
    imports pydoc, which the desktop bundle leaves out, and ships 2.3 MB of data files for other codes.
    """
    n = len(ALPHABET)
    total = 0
    for i, ch in enumerate(reversed(text)):
        value = ALPHABET.index(ch)
        if i % 2:
            value *= 2
            value = value // n + value % n
        total += value
    return total % n


def _check_char(body: str) -> str:
    return ALPHABET[(len(ALPHABET) - _luhn_sum(body + ALPHABET[0])) % len(ALPHABET)]


def code_of(signature: bytes) -> str:
    """`ABCD-EFGH-IJKL-M`: the signature's first 60 bits and a check character."""
    body = base64.b32encode(signature[:10]).decode("ascii")[:CODE_BODY]
    full = body + _check_char(body)
    return "-".join(full[i : i + 4] for i in range(0, len(full), 4))


def normalize_code(typed: str) -> str:
    """The code as typed (any case, spaces or dashes, 0/1/8 for O/I/B) -> its 12-character body.

    CodeError with a Vietnamese message when it cannot be a code; the check character catches any
    single mistyped character and most swaps of two neighbours.
    """
    text = re.sub(r"[\s\-–.]", "", typed).upper().translate(_TYPED_ALIKE)
    if len(text) != CODE_BODY + 1:
        raise CodeError(
            f"Mã xác minh có {CODE_BODY + 1} ký tự (ví dụ ABCD-EFGH-IJKL-M); đã nhập {len(text)} ký tự."
        )
    wrong = sorted({ch for ch in text if ch not in ALPHABET})
    if wrong:
        raise CodeError(f"Mã xác minh chỉ gồm chữ A–Z và số 2–7; có ký tự lạ: {' '.join(wrong)}.")
    if _luhn_sum(text) != 0:
        raise CodeError(
            "Mã xác minh sai ký tự kiểm tra: có lẽ gõ nhầm một ký tự. Hãy đối chiếu lại với bản giấy."
        )
    return text[:CODE_BODY]


def code_body(signature: bytes) -> str:
    return code_of(signature).replace("-", "")[:CODE_BODY]


def embed_statement(pdf: bytes, signed: SignedStatement) -> bytes:
    """The PDF with the signed statement in its catalog (an incremental update, before any signature)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    text = canonical_json(signed.to_json()).decode("utf-8")
    writer.root[generic.NameObject(PDF_KEY)] = generic.TextStringObject(text)
    writer.update_root()  # type: ignore[no-untyped-call]
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]
    return out.getvalue()


def read_statement(pdf: bytes) -> SignedStatement | None:
    """The signed statement a PDF carries, None when it carries none; ValueError when it is malformed."""
    import json

    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader

    from danvan_desktop.transport.package_format import loads_strict

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        raw = reader.root.get(PDF_KEY)
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"unreadable PDF: {exc!r}") from exc
    if raw is None:
        return None
    try:
        value = loads_strict(str(raw))
    except (ValueError, RecursionError, json.JSONDecodeError) as exc:
        raise ValueError("statement is not JSON") from exc
    if not isinstance(value, dict) or set(value) != {"statement", "signature", "code"}:
        raise ValueError("statement wrapper fields differ")
    statement = Statement.from_json(value["statement"])
    signature = decode_base64(value["signature"]) if isinstance(value["signature"], str) else None
    if signature is None or len(signature) != 64:
        raise ValueError("statement signature")
    signed = SignedStatement(statement, signature)
    if value["code"] != signed.code:
        raise ValueError("printed code does not match the signature")
    return signed
