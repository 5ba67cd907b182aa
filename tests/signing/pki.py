"""A test CA, its certificates and a SoftHSM2 token holding a signer's key, made with `cryptography`."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

SOFTHSM_MODULES = (
    Path("/usr/lib/softhsm/libsofthsm2.so"),
    Path("/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"),
)
PIN = "123456"
SO_PIN = "12345678"
TOKEN_LABEL = "danvan-test"


@dataclass(frozen=True)
class Issued:
    key: rsa.RSAPrivateKey
    cert: x509.Certificate

    @property
    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)


def _name(cn: str, org: str = "") -> x509.Name:
    parts = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"), x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    if org:
        parts.insert(1, x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    return x509.Name(parts)


def make_ca(cn: str) -> Issued:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(_name(cn))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Issued(key, cert)


def issue(ca: Issued, cn: str, org: str = "") -> Issued:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(cn, org))
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False
        )
        .sign(ca.key, hashes.SHA256())
    )
    return Issued(key, cert)


def write_p12(path: Path, holder: Issued, ca: Issued, passphrase: str) -> Path:
    data = pkcs12.serialize_key_and_certificates(
        b"test",
        holder.key,
        holder.cert,
        [ca.cert],
        serialization.BestAvailableEncryption(passphrase.encode()),
    )
    path.write_bytes(data)
    return path


def softhsm_module() -> Path | None:
    return next((m for m in SOFTHSM_MODULES if m.is_file()), None)


def init_token(folder: Path, holder: Issued) -> Path:
    """A SoftHSM2 token in `folder` with `holder`'s key and certificate (id 01); returns the module.

    SOFTHSM2_CONF is set for the whole test process: the library reads it once, when first loaded.
    """
    import pkcs11
    from pkcs11 import Attribute, CertificateType, ObjectClass

    module = softhsm_module()
    assert module is not None and shutil.which("softhsm2-util"), "softhsm2 is in tools/system-packages.txt"
    tokens = folder / "tokens"
    tokens.mkdir(parents=True)
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    run = ["softhsm2-util", "--pin", PIN, "--so-pin", SO_PIN]
    subprocess.run([*run[:1], "--init-token", "--free", "--label", TOKEN_LABEL, *run[1:]], check=True)
    key_file = folder / "signer-key.pem"
    key_file.write_bytes(
        holder.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    subprocess.run(
        [
            *run[:1],
            "--import",
            str(key_file),
            "--token",
            TOKEN_LABEL,
            "--label",
            "signer",
            "--id",
            "01",
            *run[1:],
        ],
        check=True,
        capture_output=True,
    )
    key_file.unlink()
    token = pkcs11.lib(str(module)).get_token(token_label=TOKEN_LABEL)
    with token.open(rw=True, user_pin=PIN) as session:
        session.create_object(
            {
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                Attribute.TOKEN: True,
                Attribute.LABEL: "signer",
                Attribute.ID: b"\x01",
                Attribute.SUBJECT: holder.cert.subject.public_bytes(),
                Attribute.VALUE: holder.cert.public_bytes(serialization.Encoding.DER),
            }
        )
    return module


def signature_png(path: Path) -> Path:
    """A blue hand-written-looking stroke on a transparent background (as NĐ 30/2020 asks: PNG)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (600, 240), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    points = [(30 + i * 9, 120 + int(60 * ((-1) ** (i // 6)) * ((i % 6) / 6))) for i in range(60)]
    draw.line(points, fill=(20, 40, 170, 255), width=9, joint="curve")
    image.save(path)
    return path


def seal_png(path: Path) -> Path:
    """A red round seal on a transparent background."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, 390, 390), outline=(200, 20, 20, 230), width=14)
    draw.ellipse((50, 50, 350, 350), outline=(200, 20, 20, 230), width=6)
    draw.regular_polygon((200, 200, 60), 5, fill=(200, 20, 20, 230))
    image.save(path)
    return path
