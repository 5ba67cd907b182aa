"""TLS to the server as libpq's sslmode says: verify-full checks the certificate against the office's
CA file and the server's name, before any password or data crosses the network; pg_dump does too.

tools/with-postgres.sh starts its throwaway server with TLS on, its certificate (for 127.0.0.1 only)
signed by a CA made for the run, named by DANVAN_TEST_SSL_CA.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy.engine import URL

from danvan_desktop.db import server
from danvan_desktop.db.engine import read_revision
from danvan_desktop.db.location import read_server_file, write_server_file
from danvan_desktop.services.maintenance.server_backups import dump_revision, make_server_backup
from tests.databases import TestServer

CA = os.environ.get("DANVAN_TEST_SSL_CA", "")
pytestmark = [
    pytest.mark.server_only,
    pytest.mark.skipif(not CA, reason="no TLS on the test server (DANVAN_TEST_SSL_CA, with-postgres.sh)"),
]
SECRET = "mat-khau-bi-mat"


def _other_ca(folder: Path) -> Path:
    """A CA of someone else: a server certificate it did not sign must be refused."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "không phải CA của văn phòng")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    path = folder / "other-ca.crt"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


def _connection(pg: TestServer, folder: Path, mode: str, ca: str | Path, host: str = "127.0.0.1") -> Path:
    database = read_server_file(pg.empty_database(folder, "db")).url.database
    query = {"sslmode": mode, "sslrootcert": str(ca)}
    url: URL = pg.url.set(host=host, database=database, password=pg.url.password or SECRET, query=query)
    return write_server_file(folder / "tls.danvan-server", url)


def _encrypted(path: Path) -> bool:
    engine = server.make_server_engine(path)
    try:
        with engine.connect() as conn:
            return bool(
                conn.exec_driver_sql("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").scalar()
            )
    finally:
        engine.dispose()


def test_verify_full_with_the_offices_ca_connects_encrypted_and_dumps(pg: TestServer, tmp_path: Path) -> None:
    path = _connection(pg, tmp_path, "verify-full", CA)
    assert read_revision(path) is None  # reached: an empty database
    assert _encrypted(path)
    from danvan_desktop import paths
    from danvan_desktop.services.office.installation import initialize_database

    initialize_database(path, "DH-PHUCCHU", None, catalog_dir=paths.catalog_dir()).close()
    dump = make_server_backup(path, tmp_path / "bk", "thu-cong")  # pg_dump under the same checks
    assert dump_revision(dump)


def test_a_certificate_the_offices_ca_did_not_sign_is_refused(pg: TestServer, tmp_path: Path) -> None:
    path = _connection(pg, tmp_path, "verify-full", _other_ca(tmp_path))
    with pytest.raises(server.ServerUnreachableError) as told:
        read_revision(path)
    assert "Không tin được máy chủ" in told.value.message and SECRET not in told.value.message
    assert "certificate verify failed" in told.value.detail


def test_verify_full_checks_the_name_verify_ca_does_not(pg: TestServer, tmp_path: Path) -> None:
    """The certificate names 127.0.0.1 only: "localhost" is the same machine, not the same name."""
    path = _connection(pg, tmp_path / "full", "verify-full", CA, host="localhost")
    with pytest.raises(server.ServerUnreachableError) as told:
        read_revision(path)
    assert "không mang đúng tên máy chủ" in told.value.message
    assert _encrypted(_connection(pg, tmp_path / "ca", "verify-ca", CA, host="localhost"))


def test_a_missing_ca_file_is_said(pg: TestServer, tmp_path: Path) -> None:
    path = _connection(pg, tmp_path, "verify-full", tmp_path / "khong-co.crt")
    with pytest.raises(server.ServerUnreachableError) as told:
        read_revision(path)
    assert "Không đọc được tệp chứng chỉ CA" in told.value.message and "khong-co.crt" in told.value.message


def test_prefer_stays_the_default_and_is_encrypted_when_offered(pg: TestServer, tmp_path: Path) -> None:
    path = pg.empty_database(tmp_path, "plain")
    # The suite's URL may say sslmode=disable (with-postgres.sh): this file leaves sslmode unsaid.
    write_server_file(path, read_server_file(path).url.difference_update_query(["sslmode", "sslrootcert"]))
    assert "sslmode" not in str(read_server_file(path).url)
    assert _encrypted(path)
