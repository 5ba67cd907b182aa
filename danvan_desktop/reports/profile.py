"""Document profiles (resources/profiles/*.yaml): the official layout of a return, as data."""

from __future__ import annotations

import datetime as dt
import json
import logging
import string
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import Field, StringConstraints, ValidationError

from danvan_desktop import paths
from danvan_desktop.catalog.kinds import UnitKind
from danvan_desktop.errors import UserError
from danvan_desktop.strict_model import StrictModel

log = logging.getLogger(__name__)

Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
Size = Annotated[float, Field(ge=6, le=30)]
Fraction = Annotated[float, Field(ge=0, le=1)]

# The placeholders each template may use; anything else is a typo caught when the file is loaded.
LETTERHEAD_FIELDS = frozenset(
    {"superior_body", "issuing_body", "so", "loai", "ky_hieu", "place", "dd", "mm", "yyyy"}
)
TEMPLATE_FIELDS: dict[str, frozenset[str]] = {
    "reading_copy.issuing_body": frozenset({"unit", "name"}),
    "reading_copy.superior_body": frozenset({"parent"}),
    "reading_copy.printed": frozenset({"office", "date", "unit"}),
    "header": LETTERHEAD_FIELDS,
    "annex.reference": frozenset({"so_ky_hieu", "date", "issuing_body"}),
    "phrases.money": frozenset({"approx", "number", "unit"}),
    "phrases.ntm": frozenset({"num", "den"}),
    "phrases.cultural_houses": frozenset({"num", "den"}),
    "phrases.models": frozenset({"count"}),
    "phrases.overview": frozenset({"unit", "period", "ntm", "money", "land", "labour", "houses", "models"}),
}


class ProfileError(UserError):
    """A profile file that cannot be used; the message names the file and the field."""


class TextStyle(StrictModel):
    """How one line or block of text is set."""

    size: Size
    bold: bool = False
    italic: bool = False
    caps: bool = False
    underline: bool = False
    rule: Fraction = 0  # a centered rule under the text, this fraction of the text's width
    space_before: float = Field(default=0, ge=0, le=72)  # points
    space_after: float = Field(default=0, ge=0, le=72)


class TextLine(TextStyle):
    text: Text


class Margins(StrictModel):
    top: float = Field(ge=10, le=50)
    bottom: float = Field(ge=10, le=50)
    left: float = Field(ge=10, le=50)
    right: float = Field(ge=10, le=50)


class Page(StrictModel):
    size: Literal["A4"] = "A4"
    margins_mm: Margins


class Body(StrictModel):
    size: Size
    leading: float = Field(ge=1, le=2)  # line height as a multiple of the size
    paragraph_space: float = Field(ge=0, le=24)  # points between paragraphs
    first_line_indent_cm: float = Field(ge=0, le=3)


class Header(StrictModel):
    left_width: float = Field(gt=0.2, lt=0.8)  # share of the text width
    left: list[TextLine] = Field(min_length=1)
    right: list[TextLine] = Field(min_length=1)
    number: TextLine  # printed at the bottom of the left column, level with `date`
    date: TextLine
    number_digits: int = Field(default=1, ge=1, le=4)  # 2: "05" (a leading zero below 10)
    blank_number: str = "     "  # where the clerk writes the number by hand
    space_after: float = Field(default=12, ge=0, le=72)


class DateRule(StrictModel):
    pad_day_below: int = Field(ge=1, le=32)
    pad_months: list[int] = Field(default_factory=list)


class Signature(StrictModel):
    authority_line: TextStyle  # "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"
    title_line: TextStyle  # "CHỦ TỊCH", "PHÓ CHỦ TỊCH"
    name: TextStyle
    authority: dict[Literal["thay_mat", "ky_thay"], Text]
    collective: Text  # who "TM." signs for when the settings name none
    deputy_prefix: Text  # "PHÓ": the deputy's title is the head's with this word in front
    space_mm: float = Field(ge=10, le=60)  # room for the signature and the seal
    width: Fraction = 0.5  # share of the text width


class DigitalSignature(StrictModel):
    """How a digitally signed return shows its signatures (for State documents: NĐ 30/2020, Phụ lục I.II)."""

    # The signer's signature image, centered in the room left between the title and the name.
    signer_image_height_mm: float = Field(default=22, ge=5, le=60)
    # Under the image, or alone when no image is registered: who signed (the certificate's holder), when.
    signer_text: list[Text] = Field(default_factory=lambda: ["Ký số bởi: {signer}", "{time}"], min_length=1)
    # The organization's seal, its real size, over the left third of the signer's signature; its name
    # and the time under the signer's printed name.
    seal_size_mm: float = Field(default=34, ge=10, le=60)
    seal_overlap: Fraction = 1 / 3
    info: TextStyle = TextStyle(size=10)
    organization_text: list[Text] = Field(
        default_factory=lambda: ["{organization}", "Thời gian ký: {time}"], min_length=1
    )
    clock_note: str = "(theo giờ máy tính)"  # no online timestamp authority: the time is the computer's


class Recipients(StrictModel):
    heading: TextLine
    item: TextStyle
    prefix: str = "- "
    separator: str = ";"  # ends every recipient line but the last
    archive: Text  # the last line: "Lưu: VT."


class PageNumbers(StrictModel):
    size: Size
    from_page: int = Field(default=2, ge=1)


class Tables(StrictModel):
    size: Size
    header: TextStyle
    title: TextStyle
    money_unit: Text  # "triệu đồng": money in tables is printed in this unit
    money_factor: int = Field(ge=1)
    money_decimals: int = Field(ge=0, le=3)
    landscape_columns: int = Field(ge=3, le=30)  # this many columns or more: a landscape page


class Annex(StrictModel):
    title: TextLine
    reference: TextLine  # "(Kèm theo Báo cáo số ... ngày ...)"


class MoneyPhrase(StrictModel):
    units: list[tuple[int, str]] = Field(min_length=1)  # (factor, word), largest first; word may be ""
    decimals: int = Field(ge=0, le=3)
    below: Text  # "gần": the rounded figure is above the exact one
    above: Text  # "hơn"
    template: Text  # "{approx} {number} {unit} đồng"


class Phrases(StrictModel):
    money: MoneyPhrase
    ntm: Text
    cultural_houses: Text
    models: Text
    overview: Text


DocumentKind = Literal["report", "list"]


class DocumentType(StrictModel):
    """A kind of printed document: its title and the symbol of its type in the number ("BC")."""

    title: Text  # "BÁO CÁO", "DANH SÁCH"
    symbol: str = ""  # "": not a type the rules give a symbol: printed and kept without a number


class ReadingCopy(StrictModel):
    """How a unit's return printed at the office above is marked, and the unit's letterhead made."""

    mark: Text  # on every page and in the PDF metadata
    printed: Text  # under the mark: which office printed it, when
    style: TextStyle
    # Letterhead lines by unit kind (xa, huyen, ...) or "default"; "" prints no line.
    issuing_body: dict[str, str] = Field(min_length=1)
    superior_body: dict[str, str] = Field(min_length=1)
    no_signer: Text  # in place of the signature when the office does not have the unit's signer


class Numbering(StrictModel):
    reset: Literal["year", "term"]
    terms: list[tuple[dt.date, str]] = Field(default_factory=list)  # (start, label) for "term"


class DocumentProfile(StrictModel):
    """Everything about the look of a printed return that differs between document systems."""

    profile_version: Literal[1]
    name: Text
    extends: str | None = None
    page: Page
    body: Body
    header: Header
    date_rule: DateRule
    title: TextStyle  # the document type's title ("BÁO CÁO"), from document_types
    document_types: dict[DocumentKind, DocumentType]
    reading_copy: ReadingCopy
    summary: TextStyle
    summary_mark: str = ""  # a line printed under the summary, e.g. "-----"
    headings: list[TextStyle] = Field(min_length=2)
    closing_mark: str = ""
    signature: Signature
    digital_signature: DigitalSignature = DigitalSignature()
    recipients: Recipients
    page_numbers: PageNumbers
    tables: Tables
    annex: Annex
    phrases: Phrases
    numbering: Numbering


def profiles_dir() -> Path:
    return paths.profiles_dir()


def _template_problems(data: DocumentProfile) -> list[str]:
    checks: list[tuple[str, str, frozenset[str]]] = []
    header = data.header
    for side in ("left", "right"):
        for i, line in enumerate(getattr(header, side)):
            checks.append((f"header.{side}[{i + 1}].text", line.text, LETTERHEAD_FIELDS))
    checks.append(("header.number.text", header.number.text, LETTERHEAD_FIELDS))
    checks.append(("header.date.text", header.date.text, LETTERHEAD_FIELDS))
    checks.append(("annex.reference.text", data.annex.reference.text, TEMPLATE_FIELDS["annex.reference"]))
    checks.append(("phrases.money.template", data.phrases.money.template, TEMPLATE_FIELDS["phrases.money"]))
    for key in ("ntm", "cultural_houses", "models", "overview"):
        checks.append((f"phrases.{key}", getattr(data.phrases, key), TEMPLATE_FIELDS[f"phrases.{key}"]))
    copy = data.reading_copy
    checks.append(("reading_copy.printed", copy.printed, TEMPLATE_FIELDS["reading_copy.printed"]))
    for key in ("issuing_body", "superior_body"):
        for kind, template in getattr(copy, key).items():
            checks.append((f"reading_copy.{key}.{kind}", template, TEMPLATE_FIELDS[f"reading_copy.{key}"]))
    problems = [
        f"«reading_copy.{key}»: không có loại đơn vị «{kind}»; dùng: default, {', '.join(UnitKind)}"
        for key in ("issuing_body", "superior_body")
        for kind in getattr(copy, key)
        if kind != "default" and kind not in {k.value for k in UnitKind}
    ]
    problems += [
        f"«reading_copy.{key}»: thiếu dòng «default» (dùng cho loại đơn vị không kê riêng)"
        for key in ("issuing_body", "superior_body")
        if "default" not in getattr(copy, key)
    ]
    for where, template, allowed in checks:
        try:
            used = {name for _lit, name, _spec, _conv in string.Formatter().parse(template) if name}
        except ValueError:
            problems.append(f"«{where}»: dấu ngoặc {{ }} không cân đối trong «{template}»")
            continue
        unknown = sorted(used - allowed)
        if unknown:
            names = ", ".join("{" + u + "}" for u in unknown)
            known = ", ".join("{" + a + "}" for a in sorted(allowed))
            problems.append(f"«{where}»: không có chỗ điền {names}; dùng được: {known}")
    return problems


def _where(loc: Iterable[int | str]) -> str:
    text = ""
    for part in loc:
        text += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


_REASONS = {
    "missing": "thiếu mục bắt buộc",
    "string_too_short": "không được để trống",
    "extra_forbidden": "mục này không có trong mẫu văn bản (gõ nhầm tên?)",
    "too_short": "cần ít nhất một dòng",
}


def _explain(what: str, exc: ValidationError) -> ProfileError:
    problems = []
    for error in exc.errors():
        reason = _REASONS.get(error["type"], f"giá trị không hợp lệ ({error['msg']})")
        problems.append(f"«{_where(error['loc'])}»: {reason}")
    lines = "\n".join(f"  - {p}" for p in problems)
    return ProfileError(f"{what} chưa dùng được:\n{lines}", detail=str(exc))


def _merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ProfileError(f"Không đọc được tệp mẫu văn bản {path}.", detail=repr(exc)) from exc
    if not isinstance(raw, dict):
        raise ProfileError(f"Tệp mẫu văn bản {path} không đúng dạng (cần các mục khóa: giá trị).")
    return raw


def profile_files(user_dir: Path | None = None) -> dict[str, Path]:
    """Profile name (file stem) -> file; an office's own folder may add or replace profiles."""
    found = {p.stem: p for p in sorted(profiles_dir().glob("*.yaml"))}
    if user_dir is not None and user_dir.is_dir():
        for path in sorted(user_dir.glob("*.yaml")):
            if path.stem in found:
                log.info("profile %s replaced by %s", path.stem, path)
            found[path.stem] = path
    return found


def _resolved_raw(path: Path, files: Mapping[str, Path] | None) -> dict[str, Any]:
    raw = _read_yaml(path)
    seen = {path.stem}
    while isinstance(raw.get("extends"), str):
        parent_name = raw["extends"]
        parent = (files or profile_files()).get(parent_name)
        if parent is None or parent_name in seen:
            raise ProfileError(f"Tệp mẫu văn bản {path}: «extends» chỉ tới mẫu «{parent_name}» không có.")
        seen.add(parent_name)
        base = _read_yaml(parent)
        raw = _merge(base, {k: v for k, v in raw.items() if k != "extends"}) | {
            "extends": base.get("extends")
        }
    return raw


def load_profile_file(path: Path, files: Mapping[str, Path] | None = None) -> DocumentProfile:
    """Read and check one profile file; `extends: other` starts from another profile's values."""
    return _checked(_resolved_raw(path, files), f"Tệp mẫu văn bản {path}")


def _checked(raw: Mapping[str, Any], what: str) -> DocumentProfile:
    """The one check every profile gets, from a file or sent by the office above."""
    try:
        profile = DocumentProfile.model_validate(raw)
    except ValidationError as exc:
        raise _explain(what, exc) from exc
    problems = _template_problems(profile)
    if problems:
        lines = "\n".join(f"  - {p}" for p in problems)
        raise ProfileError(f"{what} chưa dùng được:\n{lines}")
    return profile


def resolved_profile_data(path: Path, files: Mapping[str, Path] | None = None) -> dict[str, Any]:
    """A profile file with its `extends` chain merged in: what it says on its own, to send elsewhere."""
    raw = _resolved_raw(path, files)
    _checked(raw, f"Tệp mẫu văn bản {path}")
    return {k: v for k, v in raw.items() if k != "extends"}


def load_profile_text(name: str, text: str) -> DocumentProfile:
    """A profile sent by the office above (JSON, whole: no `extends`), checked like a file.

    JSON rather than YAML: no anchors or aliases to blow up, and the text is what the database keeps.
    """
    what = f"Mẫu văn bản «{name}» do cấp trên gửi"
    try:
        raw = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ProfileError(f"{what} không đọc được (JSON sai cú pháp).", detail=repr(exc)) from exc
    if not isinstance(raw, dict):
        raise ProfileError(f"{what} không đúng dạng (cần các mục khóa: giá trị).")
    if raw.get("extends") is not None:
        raise ProfileError(f"{what} phải đầy đủ, không dựa vào mẫu khác («extends»).")
    return _checked(raw, what)


def own_profile_names(user_dir: Path | None) -> set[str]:
    """Names of the profiles in the office's own folder."""
    return {p.stem for p in user_dir.glob("*.yaml")} if user_dir is not None and user_dir.is_dir() else set()


def load_profile(
    name: str, user_dir: Path | None = None, pushed: Mapping[str, str] | None = None
) -> DocumentProfile:
    """The profile called `name` (nha_nuoc, dang, an office's own, or one sent from above), checked.

    Which one wins for a name: the office's own file, then one sent by the office above (`pushed`:
    name -> JSON text, from the database), then the shipped file.
    """
    files = profile_files(user_dir)
    pushed = pushed or {}
    if name in pushed and name not in own_profile_names(user_dir):
        return load_profile_text(name, pushed[name])
    if name not in files:
        known = ", ".join(sorted(set(files) | set(pushed)))
        raise ProfileError(f"Không có mẫu văn bản «{name}». Các mẫu hiện có: {known}.")
    return load_profile_file(files[name], files)
