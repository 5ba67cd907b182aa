"""The package file format: signed, optionally encrypted zip files carrying records between sites.

No Qt and no database here; see docs/package-format.md for the format itself.
"""

from danvan_desktop.transport.keys import (
    KeyFileError,
    fingerprint,
    generate_keypair,
    load_private_key,
    public_key_raw,
    save_private_key,
)
from danvan_desktop.transport.package_format import (
    DEFAULT_LIMITS,
    FORMAT_VERSION,
    Limits,
    ManifestInfo,
    PackageError,
    PackagePassphraseError,
    PackageSignatureError,
    PackageSummary,
    PackageVersionError,
    PackageWriteError,
)
from danvan_desktop.transport.reader import VerifiedPackage, open_package
from danvan_desktop.transport.schema import Manifest, PackageRecord
from danvan_desktop.transport.writer import write_package

__all__ = [
    "DEFAULT_LIMITS",
    "FORMAT_VERSION",
    "KeyFileError",
    "Limits",
    "Manifest",
    "ManifestInfo",
    "PackageError",
    "PackagePassphraseError",
    "PackageRecord",
    "PackageSignatureError",
    "PackageSummary",
    "PackageVersionError",
    "PackageWriteError",
    "VerifiedPackage",
    "fingerprint",
    "generate_keypair",
    "load_private_key",
    "open_package",
    "public_key_raw",
    "save_private_key",
    "write_package",
]
