"""The report_profiles kind of the reply package: the office above's own report profiles, kept at its units.

The office above sends the profiles it made (its profiles folder, names not shipped with the program)
and those it received from its own office above, each whole (`extends` merged in) as JSON. The unit
checks each exactly as a profile file is checked and keeps it in table pushed_profile, never in a
file: for one name, the unit's own file wins, then the profile from above, then the shipped one.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from danvan_desktop.db.models import PushedProfile
from danvan_desktop.errors import UserError
from danvan_desktop.paths import user_paths
from danvan_desktop.reports.profile import (
    ProfileError,
    load_profile_text,
    own_profile_names,
    profile_files,
    profiles_dir,
    resolved_profile_data,
)
from danvan_desktop.services.exchange import reply_payloads
from danvan_desktop.services.exchange.reply_payloads import ApplyContext
from danvan_desktop.services.reporting.pushed_profiles import pushed_profile_texts
from danvan_desktop.text import nfc_deep

log = logging.getLogger(__name__)

KIND = "report_profiles"
LABEL = "Mẫu văn bản"
MAX_PROFILES = 30
MAX_PROFILE_BYTES = 20_000  # UTF-8 JSON; a shipped profile is about 3 600: 30 stay under the 700 KiB line
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # a file stem an office can also use in its own folder


class ProfilePayloadError(UserError):
    """A report_profiles payload refused whole; the reply is not applied."""

    exit_code = 2


def _refuse(reason: str) -> ProfilePayloadError:
    return ProfilePayloadError(
        f"Gói trả lời của cấp trên bị từ chối (mẫu văn bản): {reason.strip().rstrip('.')}. "
        "Không có gì được lưu."
    )


def _json(value: object) -> str:
    def default(item: object) -> str:
        if isinstance(item, dt.date):  # numbering.terms: dates, read back by the same model
            return item.isoformat()
        raise TypeError(f"not JSON: {item!r}")

    return json.dumps(nfc_deep(value), ensure_ascii=False, sort_keys=True, default=default)


def profiles_to_send(session: Session) -> dict[str, str]:
    """Name -> JSON of every profile this office passes down: its own files (names not shipped), then
    those received from above that no own file replaces. A broken own file stops the reply: said, not
    silently left out."""
    own_dir = user_paths().profiles_dir
    shipped = {p.stem for p in profiles_dir().glob("*.yaml")}
    own = own_profile_names(own_dir)
    files = profile_files(own_dir)
    sent = {name: text for name, text in pushed_profile_texts(session).items() if name not in own}
    for name in sorted(own - shipped):
        if not _NAME.match(name):
            log.warning("profile %s not sent: its name is not a plain file name", name)
            continue
        sent[name] = _json(resolved_profile_data(files[name], files))
    # The unit refuses more or longer than this: said here, before a reply it would refuse is written.
    if len(sent) > MAX_PROFILES:
        raise UserError(
            f"Có {len(sent)} mẫu văn bản riêng để gửi cấp dưới; gói trả lời nhận tối đa {MAX_PROFILES}."
        )
    for name, text in sent.items():
        if len(text.encode("utf-8")) > MAX_PROFILE_BYTES:
            raise UserError(
                f"Mẫu văn bản «{name}» dài quá {MAX_PROFILE_BYTES} byte, không gửi cấp dưới được."
            )
    return dict(sorted(sent.items()))


def export_profiles(session: Session, unit_code: str) -> bytes | None:
    """The same profiles for every unit; None when the office has none of its own."""
    profiles = profiles_to_send(session)
    if not profiles:
        return None
    return _json({"profiles": [{"name": n, "profile": json.loads(t)} for n, t in profiles.items()]}).encode()


def _checked(data: bytes) -> dict[str, str]:
    try:
        payload = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise _refuse("nội dung không phải JSON UTF-8") from exc
    if not isinstance(payload, dict) or set(payload) != {"profiles"}:
        raise _refuse("nội dung phải là một bảng có đúng khóa «profiles»")
    items = payload["profiles"]
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_PROFILES:
        raise _refuse(f"«profiles» phải là danh sách từ 1 đến {MAX_PROFILES} mẫu")
    checked: dict[str, str] = {}
    for i, item in enumerate(items, 1):
        if not isinstance(item, dict) or set(item) != {"name", "profile"}:
            raise _refuse(f"mẫu thứ {i} phải có đúng các khóa name, profile")
        name = item["name"]
        if not isinstance(name, str) or not _NAME.match(name):
            raise _refuse(f"tên mẫu thứ {i} phải gồm chữ không dấu, số, «_», «-» (tối đa 64 ký tự)")
        if name in checked:
            raise _refuse(f"mẫu «{name}» xuất hiện hai lần")
        text = _json(item["profile"])
        if len(text.encode("utf-8")) > MAX_PROFILE_BYTES:
            raise _refuse(f"mẫu «{name}» dài quá {MAX_PROFILE_BYTES} byte")
        try:
            load_profile_text(name, text)  # the check a profile file gets, whole
        except ProfileError as exc:
            raise _refuse(exc.message) from exc
        checked[name] = text
    return checked


def apply_profiles(session: Session, data: bytes, context: ApplyContext) -> None:
    """Store every profile sent (new or changed); those not sent this time stay, for returns printed
    with them. Everything is checked before anything is written."""
    profiles = _checked(data)
    stored = {p.name: p for p in session.scalars(select(PushedProfile))}
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    new, changed = [], []
    for name, text in profiles.items():
        row = stored.get(name)
        if row is not None and row.content == text:
            continue
        if row is None:
            row = PushedProfile(name=name)
            session.add(row)
            new.append(name)
        else:
            changed.append(name)
        row.content, row.origin_unit_code = text, context.sender_office
        row.package_id, row.received_at = context.package_id, now
    session.flush()
    if not (new or changed):
        return  # the same profiles as last time: nothing for the unit to read in its inbox
    parts = [f"mới: {', '.join(new)}" if new else "", f"cập nhật: {', '.join(changed)}" if changed else ""]
    detail = "; ".join(p for p in parts if p)
    context.inbox(LABEL, f"{detail} (dùng khi in báo cáo: danvan report --profile TÊN_MẪU).")


reply_payloads.register(KIND, export_profiles, apply_profiles, label=LABEL, order=40)
