"""Errors a user can act on, each carrying a Vietnamese message and a CLI exit code."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


class UserError(Exception):
    """A problem caused by input or environment, not a bug: show `message` to the user."""

    exit_code = 2

    def __init__(self, message: str, *, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail  # English detail for the log

    def __str__(self) -> str:
        return self.message


class DatabaseMissingError(UserError):
    """No database file where one was expected."""


class NotADatabaseError(UserError):
    """The file is not an SQLite database at all."""


class ForeignDatabaseError(UserError):
    """An SQLite database made by some other program."""


class NewerDatabaseError(UserError):
    """The database was written by a newer version of the app."""


class DatabaseNotWritableError(UserError):
    """The database (or its folder) cannot be written."""


class DatabaseLockedError(UserError):
    """Another process holds the database."""


class DiskFullError(UserError):
    """The disk filled while writing."""


class DatabaseExistsError(UserError):
    """Refusing to overwrite an existing database."""


class UpgradeFailedError(UserError):
    """A schema upgrade failed; the database was put back from the copy made just before it."""

    def __init__(self, message: str, backup: Path, *, detail: str = "") -> None:
        super().__init__(message, detail=detail)
        self.backup = backup  # the pre-upgrade copy, for dialogs and tests


class CatalogError(UserError):
    """A catalog file is malformed or inconsistent."""

    def __init__(self, message: str, problems: Sequence[str] = (), *, detail: str = "") -> None:
        super().__init__(message, detail=detail)
        self.problems = list(problems)

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        return self.message + "\n" + "\n".join(f"  - {p}" for p in self.problems)


class UnknownUnitError(UserError):
    """An org-unit code that is not in the catalog."""

    def __init__(self, code: str, suggestions: Sequence[str]) -> None:
        hint = (
            " Có phải bạn muốn chọn: " + "; ".join(suggestions) + "?"
            if suggestions
            else " Dùng lệnh `danvan units --search TÊN` để tìm mã đơn vị."
        )
        super().__init__(f"Không tìm thấy đơn vị có mã «{code}» trong danh mục.{hint}")
        self.code = code
        self.suggestions = list(suggestions)


class UnknownPeriodError(UserError):
    """A period code that cannot be understood."""


class NotInitializedError(UserError):
    """The database has no installation identity yet."""
