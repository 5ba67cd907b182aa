"""The texts of the letterhead and signature block: number, place and date, signer, recipients."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from danvan_desktop.errors import UserError
from danvan_desktop.reports.document import ReportDocument
from danvan_desktop.reports.model import IssuingUnit, Letterhead
from danvan_desktop.reports.profile import LETTERHEAD_FIELDS, DocumentKind, DocumentProfile
from danvan_desktop.text import fold, nfc

_AUTHORITY = {"tm": "thay_mat", "kt": "ky_thay"}
NBSP = "\u00a0"


def _padded(value: int, pad: bool) -> str:
    return f"{value:02d}" if pad else str(value)


def abbreviation(letterhead: Letterhead) -> str:
    """The issuing body's symbol: as set, else the initials of its name ("BAN DÂN VẬN HUYỆN ỦY": BDVHU).

    Symbols drop accents but keep Đ, which is a letter of its own: "Ủy ban nhân dân" is UBND,
    "Hội đồng nhân dân" HĐND (NĐ 30/2020 usage).
    """
    if letterhead.abbreviation:
        return letterhead.abbreviation
    words = nfc(letterhead.issuing_body).upper().split()
    return "".join(unicodedata.normalize("NFD", word[0])[0] for word in words if word[0].isalpha())


def is_numbered(profile: DocumentProfile, doc: ReportDocument) -> bool:
    """Whether the document takes a number from the office's register.

    Only the office's own documents of a type the rules give a symbol ("BC"): a reading copy of a
    unit's return is the unit's document, and a list ("DANH SÁCH") is no numbered type of its own.
    """
    return doc.reading_copy is None and bool(profile.document_types[doc.doc_type].symbol)


def letterhead_fields(profile: DocumentProfile, doc: ReportDocument) -> dict[str, str]:
    """The values of the {placeholders} of the header templates."""
    rule, date = profile.date_rule, doc.date
    blank = profile.header.blank_number.replace(" ", NBSP)  # a layout would collapse plain spaces
    number = blank if doc.number is None else str(doc.number).zfill(profile.header.number_digits)
    values = {
        "superior_body": doc.letterhead.superior_body,
        "issuing_body": doc.letterhead.issuing_body,
        "so": number,
        "loai": profile.document_types[doc.doc_type].symbol,
        "ky_hieu": abbreviation(doc.letterhead),
        "place": doc.letterhead.place,
        "dd": _padded(date.day, date.day < rule.pad_day_below),
        "mm": _padded(date.month, date.month in rule.pad_months),
        "yyyy": str(date.year),
    }
    if doc.reading_copy is not None:
        # The unit's number, symbol and date of issue are its own, unknown here: blank, as on a draft.
        values |= dict.fromkeys(("so", "ky_hieu", "dd", "mm", "yyyy"), blank)
    return values


def fill(template: str, values: dict[str, str]) -> str:
    return nfc(" ".join(template.format(**values).split()))


def place_and_date(profile: DocumentProfile, doc: ReportDocument) -> str:
    return fill(profile.header.date.text, letterhead_fields(profile, doc))


def number_line(profile: DocumentProfile, doc: ReportDocument) -> str:
    """ "Số: 05/BC-UBND"; with no number the blank keeps its width for the handwritten one.

    A document type without a symbol (a list) has no "Số" line at all.
    """
    if not profile.document_types[doc.doc_type].symbol:
        return ""
    values = letterhead_fields(profile, doc)
    return nfc(profile.header.number.text.format(**values))


def short_date(date: dt.date) -> str:
    """Dates in running text: "08/3/2022" (day padded, month not)."""
    return f"{date.day:02d}/{date.month}/{date.year}"


def signature_lines(profile: DocumentProfile, letterhead: Letterhead) -> tuple[str | None, str]:
    """(authority line or None, title line): "TM. ỦY BAN NHÂN DÂN" / "CHỦ TỊCH", "KT. ..." / "PHÓ ..."."""
    spec = profile.signature
    key = re.sub(r"[^a-z]", "", fold(letterhead.signer_authority))
    title = nfc(letterhead.signer_title).upper()
    if not key:
        return None, title
    if key not in _AUTHORITY:
        raise UserError(
            f"Thẩm quyền ký «{letterhead.signer_authority}» (signer.authority) không hiểu được; "
            "ghi TM. hoặc KT. (văn bản nhà nước), T/M hoặc K/T (văn bản của Đảng), hoặc để trống."
        )
    word = spec.authority[_AUTHORITY[key]]  # type: ignore[index]
    if _AUTHORITY[key] == "thay_mat":
        collective = nfc(letterhead.signer_collective or spec.collective).upper()
        return f"{word} {collective}", title
    prefix = nfc(spec.deputy_prefix).upper() + " "
    head = title.removeprefix(prefix).strip()
    return f"{word} {head}", f"{prefix}{head}"


def recipient_lines(profile: DocumentProfile, letterhead: Letterhead) -> list[str]:
    spec = profile.recipients
    items = [f"{spec.prefix}{r.rstrip(';,.')}{spec.separator}" for r in letterhead.recipients]
    return [*items, f"{spec.prefix}{spec.archive}"]


def number_series(
    profile: DocumentProfile, letterhead: Letterhead, date: dt.date, doc_type: DocumentKind = "report"
) -> str:
    """The register series of a number: "BC-UBND:2023" (State, per year), "BC/ĐU:2020-2025" (Party, per term).

    The symbol is the printed "Số" line without its number, so two profiles that print the same
    symbol share one series, and a new abbreviation starts a new one.
    """
    symbols = {"ky_hieu": abbreviation(letterhead), "loai": profile.document_types[doc_type].symbol}
    values = dict.fromkeys(LETTERHEAD_FIELDS, "") | symbols
    symbol = nfc(profile.header.number.text.format(**values)).strip()
    symbol = re.sub(r"^s[ốo]\b", "", symbol, flags=re.IGNORECASE).lstrip(" :/-.")
    numbering = profile.numbering
    if numbering.reset == "year":
        return f"{symbol}:{date.year}"
    started = [label for start, label in sorted(numbering.terms) if start <= date]
    if not started:
        first = min((start for start, _label in numbering.terms), default=None)
        since = f" (nhiệm kỳ đầu tiên bắt đầu {short_date(first)})" if first else ""
        raise UserError(
            f"Mẫu văn bản «{profile.name}» đánh số theo nhiệm kỳ nhưng không có nhiệm kỳ nào chứa ngày "
            f"{short_date(date)}{since}; hãy bổ sung mục numbering.terms của mẫu."
        )
    return f"{symbol}:{started[-1]}"


def _by_kind(templates: dict[str, str], kind: str) -> str:
    return templates.get(kind, templates["default"])


def unit_letterhead(profile: DocumentProfile, unit: IssuingUnit) -> Letterhead:
    """The letterhead of a unit's own return as the office above knows it: names from its tree.

    No signer, symbol or recipients: the office does not have them, and never lends its own.
    """
    copy = profile.reading_copy
    superior = _by_kind(copy.superior_body, unit.kind).format(parent=unit.parent_label)
    return Letterhead(
        # Capitals, as a letterhead writes the names (and the PDF metadata then reads the same).
        issuing_body=nfc(
            _by_kind(copy.issuing_body, unit.kind).format(unit=unit.label, name=unit.name).upper()
        ),
        superior_body=nfc(superior.upper()) if unit.parent_label else "",
        place=unit.name,
        abbreviation="",
        signer_name="",
        signer_title="",
        signer_authority="",
        signer_collective="",
        recipients=(),
    )


def copy_lines(profile: DocumentProfile, doc: ReportDocument) -> tuple[str, str] | None:
    """The mark of a reading copy and the line saying who printed it when; None for an issued document."""
    unit = doc.reading_copy
    if unit is None:
        return None
    copy = profile.reading_copy
    printed = copy.printed.format(unit=unit.label, office=unit.printed_by, date=short_date(doc.date))
    return nfc(copy.mark), nfc(printed)
