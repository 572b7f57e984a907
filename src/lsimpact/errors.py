"""Errors a user can act on.

Every error raised for a *user* mistake (a bad file, a missing column, an edited raw file)
is an :class:`LsimpactError`: it names the file, the row and column where known, what was
expected and how to fix it. The CLI prints these without a traceback.
"""

from __future__ import annotations


class LsimpactError(Exception):
    """Base class of errors caused by input the user can fix."""

    def __init__(
        self,
        message: str,
        *,
        path: object | None = None,
        row: int | None = None,
        column: str | None = None,
        expected: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.path = None if path is None else str(path)
        self.row = row
        self.column = column
        self.expected = expected
        self.hint = hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = []
        if self.path:
            where.append(f"file {self.path}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column '{self.column}'")
        lines = [(", ".join(where) + ": " if where else "") + self.message]
        if self.expected:
            lines.append(f"  expected: {self.expected}")
        if self.hint:
            lines.append(f"  how to fix: {self.hint}")
        return "\n".join(lines)


class InputError(LsimpactError):
    """A user table cannot be read or lacks what the cleaner needs."""


class ChecksumError(LsimpactError):
    """A shipped raw file does not match the hash recorded in the catalogue."""


class ValidationError(LsimpactError):
    """A processed table failed its schema."""


class ReportError(LsimpactError):
    """A notebook failed while building the reports."""
