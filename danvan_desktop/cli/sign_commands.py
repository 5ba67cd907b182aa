"""`danvan sign` and `danvan verify-pdf`, and the signing options of `danvan report --sign` (no Qt)."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from danvan_desktop.errors import UserError
from danvan_desktop.paths import UserPaths

if TYPE_CHECKING:  # build_parser imports this module on every start: no pyHanko, no SQLAlchemy here
    from danvan_desktop.db.engine import Database
    from danvan_desktop.services.reporting.report_output import PreparedReport, ReportRequest
    from danvan_desktop.services.reporting.signing_setup import KeySource

SIGN_COMMANDS = ("sign", "verify-pdf")
TRUST_DIR_NAME = "trusted-roots"
EXIT_NOT_VALID = 1


def add_key_options(parser: argparse.ArgumentParser) -> None:
    """--cert, --pin-file, --org-cert...: shared by `sign` and `report --sign`."""
    parser.add_argument(
        "--cert",
        metavar="token|TỆP.p12",
        help="chứng thư của người ký: token (USB token, qua PKCS#11) hoặc tệp .p12/.pfx",
    )
    parser.add_argument(
        "--pin-file", type=Path, metavar="TỆP", help="tệp chứa mã PIN/mật khẩu (không có thì hỏi khi ký)"
    )
    parser.add_argument(
        "--org-cert", metavar="token|TỆP.p12", help="chứng thư của cơ quan (chữ ký thứ hai, nếu đơn vị có)"
    )
    parser.add_argument("--org-pin-file", type=Path, metavar="TỆP", help="mã PIN/mật khẩu của --org-cert")
    parser.add_argument(
        "--pkcs11-module",
        type=Path,
        metavar="TỆP",
        help="thư viện PKCS#11 của token (mặc định: theo cài đặt)",
    )


def add_sign_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sign = sub.add_parser(
        "sign",
        help="ký số (PAdES) một báo cáo PDF đã phát hành",
        description="Ký số báo cáo PDF: chữ ký của người ký (token hoặc tệp .p12), rồi chữ ký của cơ quan "
        "nếu có --org-cert, ở vị trí theo mẫu văn bản. Thời gian ký lấy theo giờ máy tính. "
        "Không đổi số văn bản trong sổ đăng ký.",
    )
    sign.add_argument("file", type=Path, metavar="TỆP.pdf", help="báo cáo PDF cần ký")
    sign.add_argument("--out", type=Path, metavar="TỆP.pdf", help="tệp đã ký (mặc định: <tên>_da_ky.pdf)")
    sign.add_argument("--profile", metavar="MẪU", help="mẫu văn bản (mặc định: theo cài đặt)")
    add_key_options(sign)

    verify = sub.add_parser(
        "verify-pdf",
        help="kiểm tra chữ ký số của một báo cáo PDF",
        description="Kiểm tra từng chữ ký số: còn nguyên vẹn, người ký và cơ quan, chuỗi chứng thư tới chứng "
        "thư gốc đơn vị tin cậy, văn bản không bị sửa sau khi ký. Mã thoát: 0 hợp lệ, 1 không hợp lệ, "
        "2 lỗi đầu vào.",
    )
    verify.add_argument("file", type=Path, metavar="TỆP.pdf")
    verify.add_argument(
        "--trust-dir",
        type=Path,
        metavar="THƯ_MỤC",
        help=f"thư mục chứng thư gốc tin cậy (mặc định: {TRUST_DIR_NAME} trong thư mục dữ liệu)",
    )


def read_secret(pin_file: Path | None, what: str) -> str:
    """The PIN or passphrase: the first line of `pin_file`, else asked on the terminal, never echoed."""
    if pin_file is not None:
        try:
            lines = pin_file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError(f"Không đọc được tệp mã PIN «{pin_file}».", detail=repr(exc)) from exc
        return lines[0] if lines else ""
    if not sys.stdin.isatty():
        raise UserError(
            f"Cần {what}: dùng --pin-file TỆP (không chạy được hỏi mã PIN khi không có bàn phím)."
        )
    return getpass.getpass(f"{what}: ")


def key_sources(args: argparse.Namespace) -> tuple[KeySource, KeySource | None]:
    from danvan_desktop.services.reporting.signing_setup import KeySource

    if not args.cert:
        raise UserError("Cần --cert token hoặc --cert TỆP.p12 để ký.")
    for cert in (args.cert, args.org_cert):
        if cert and cert != "token" and not Path(cert).is_file():
            raise UserError(f"Không có tệp chứng thư số «{cert}» (cần «token» hoặc đường dẫn tệp .p12/.pfx).")
    signer = KeySource(args.cert, read_secret(args.pin_file, "Mã PIN/mật khẩu của người ký"))
    org = None
    if args.org_cert:
        org = KeySource(args.org_cert, read_secret(args.org_pin_file, "Mã PIN/mật khẩu của cơ quan"))
    return signer, org


def trust_dir(args: argparse.Namespace, user: UserPaths) -> Path:
    return Path(args.trust_dir) if args.trust_dir else user.data_dir / TRUST_DIR_NAME


def cmd_verify(args: argparse.Namespace, user: UserPaths, database: Path) -> int:
    from danvan_desktop.services.reporting.pdf_verify import check_pdf, load_trust_roots

    path: Path = args.file
    if not path.is_file():
        raise UserError(f"Không có tệp «{path}».")
    roots = load_trust_roots(trust_dir(args, user))
    data = path.read_bytes()
    result = check_pdf(data, roots)
    if not result.signatures:
        print(f"KHÔNG HỢP LỆ: {path} không có chữ ký số nào.")
        return EXIT_NOT_VALID
    for i, sig in enumerate(result.signatures, 1):
        who = sig.signer + (
            f" ({sig.organization})" if sig.organization and sig.organization != sig.signer else ""
        )
        when = (
            f"{sig.signed_at.isoformat(timespec='seconds')} (giờ máy tính của người ký)"
            if sig.signed_at
            else "?"
        )
        print(f"Chữ ký {i} (ô {sig.field}): {who}, chứng thư do {sig.issuer} cấp, ký lúc {when}")
        intact = "có" if sig.intact and sig.valid else "KHÔNG (chữ ký hỏng hoặc tệp đã bị sửa)"
        print(f"  - nguyên vẹn: {intact}")
        print(f"  - chứng thư: {'tin cậy' if sig.trusted else 'KHÔNG tin cậy: ' + (sig.problem or '?')}")
        print(f"  - sau khi ký: {'không bị sửa' if not sig.changed_after else 'ĐÃ BỊ SỬA'}")
    from danvan_desktop.cli.return_commands import figures_lines

    lines, figures_ok = figures_lines(data, user, database)
    if lines:
        print("\n".join(lines))
    if result.ok and not figures_ok:
        print(f"KHÔNG HỢP LỆ: {path}: chữ ký hợp lệ nhưng số liệu khác với số liệu của cơ sở dữ liệu.")
        return EXIT_NOT_VALID
    if result.ok:
        print(
            f"HỢP LỆ: {path} có {len(result.signatures)} chữ ký số hợp lệ, văn bản không bị sửa sau khi ký."
        )
        return 0
    print(f"KHÔNG HỢP LỆ: {path}: xem các dòng KHÔNG/ĐÃ BỊ SỬA ở trên.")
    return EXIT_NOT_VALID


def _signed_name(path: Path) -> Path:
    return path.with_name(f"{path.stem}_da_ky.pdf")


def cmd_sign(args: argparse.Namespace, user: UserPaths, database: Path) -> int:
    from danvan_desktop.cli.report_commands import _check_out
    from danvan_desktop.db.engine import open_database
    from danvan_desktop.reports import render
    from danvan_desktop.services.reporting.pdf_signing import sign_pdf
    from danvan_desktop.services.reporting.report_output import profile_key
    from danvan_desktop.services.reporting.signing_setup import office_appearance, open_keys, token_module

    source: Path = args.file
    if not source.is_file():
        raise UserError(f"Không có tệp «{source}».")
    out = _check_out(args.out or _signed_name(source))
    data = source.read_bytes()
    if not data.startswith(b"%PDF-"):
        raise UserError(f"«{source}» không phải tệp PDF.")
    signer, org = key_sources(args)
    db = open_database(database, backup_dir=user.backup_dir)
    try:
        with db.session() as session:
            appearance = office_appearance(session, profile_key(session, args.profile), user.profiles_dir)
            uses_token = "token" in (args.cert, args.org_cert)
            module = token_module(session, args.pkcs11_module) if uses_token else None
        with open_keys(signer, org, module) as (signer_key, org_key):
            _warn_holder(db, signer_key.holder)
            signed = sign_pdf(data, signer_key, appearance, organization=org_key)
    finally:
        db.close()
    render.write_atomically(out, signed)
    print(f"Đã ký số và ghi {out}" + (" (người ký và cơ quan)." if org else " (người ký)."))
    return 0


def _warn_holder(db: Database, holder: str) -> None:
    """The certificate's holder is not the printed signer: said on stderr, the signing goes on."""
    from danvan_desktop.services.reporting.signing_setup import holder_warning

    with db.session() as session:
        warning = holder_warning(session, holder)
    if warning:
        print(f"Lưu ý: {warning}", file=sys.stderr)


def signed_report(
    args: argparse.Namespace, db: Database, user: UserPaths, request: ReportRequest, out: Path
) -> PreparedReport:
    """`danvan report --sign`: laid out, numbered, signed and written in one step, or nothing at all."""
    from danvan_desktop.services.reporting.pdf_signing import sign_pdf
    from danvan_desktop.services.reporting.report_output import profile_key, save_report
    from danvan_desktop.services.reporting.signing_setup import office_appearance, open_keys, token_module

    signer, org = key_sources(args)  # the PIN is asked before the register is touched
    with db.session() as session:
        appearance = office_appearance(session, profile_key(session, request.profile), request.profiles_dir)
        uses_token = "token" in (args.cert, args.org_cert)
        module = token_module(session, args.pkcs11_module) if uses_token else None
    with open_keys(signer, org, module) as (signer_key, org_key):
        _warn_holder(db, signer_key.holder)
        return save_report(
            db, request, out, sign=lambda pdf: sign_pdf(pdf, signer_key, appearance, organization=org_key)
        )


def run_sign_command(args: argparse.Namespace, user: UserPaths, database: Path) -> int:
    if args.command == "verify-pdf":
        return cmd_verify(args, user, database)
    return cmd_sign(args, user, database)
