"""The contract between cleaners and the registry: what a cleaner returns (``Cleaned``:
the clean table, a quarantine and a ``RowAccounting``) and how a dataset is declared
(``DatasetSpec``). It sits below ``clean/`` and ``datasets``; both import it.

A cleaner is a pure function ``raw DataFrame -> Cleaned``. Every input row is either
used (it contributes to the clean table), quarantined (with the reason), or dropped as an
exact duplicate of an earlier row; ``RowAccounting.check()`` proves the counts add up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .errors import InputError

#: Columns of every quarantine table, in this order.
QUARANTINE_COLUMNS = ["source_row", "column", "raw_value", "reason"]


@dataclass(frozen=True)
class RowAccounting:
    """Where the input rows went.

    ``input_rows == used_rows + quarantined_rows + duplicate_rows`` always holds;
    ``output_rows`` may differ from ``used_rows`` when a cleaner aggregates (snapshots
    to daily values) or expands (one published figure to several rows).
    """

    dataset: str
    input_rows: int
    used_rows: int
    quarantined_rows: int
    duplicate_rows: int
    output_rows: int
    notes: tuple[str, ...] = ()

    def check(self) -> RowAccounting:
        """Raise ``AssertionError`` unless the input rows are fully accounted for."""
        total = self.used_rows + self.quarantined_rows + self.duplicate_rows
        if total != self.input_rows:
            raise AssertionError(
                f"{self.dataset}: {self.input_rows} input rows but {self.used_rows} used + "
                f"{self.quarantined_rows} quarantined + {self.duplicate_rows} duplicates = {total}"
            )
        return self

    @classmethod
    def of_masks(
        cls,
        dataset: str,
        input_rows: int,
        used: np.ndarray,
        quarantined: np.ndarray,
        duplicates: np.ndarray,
        output_rows: int,
        notes: tuple[str, ...] = (),
    ) -> RowAccounting:
        """The accounting of a cleaner that marks each input row used, quarantined or a
        duplicate (boolean masks over the rows)."""
        return cls(
            dataset=dataset,
            input_rows=input_rows,
            used_rows=int(used.sum()),
            quarantined_rows=int(quarantined.sum()),
            duplicate_rows=int(duplicates.sum()),
            output_rows=output_rows,
            notes=notes,
        )

    @classmethod
    def of_parts(
        cls,
        dataset: str,
        parts: Iterable[RowAccounting],
        quarantined_rows: int,
        notes: tuple[str, ...] = (),
    ) -> RowAccounting:
        """The accounting of an input cleaned in parts (chunked and Dask engines): the
        parts' counts added up; ``quarantined_rows`` of the merged quarantine."""
        parts = list(parts)
        return cls(
            dataset=dataset,
            input_rows=sum(x.input_rows for x in parts),
            used_rows=sum(x.used_rows for x in parts),
            quarantined_rows=quarantined_rows,
            duplicate_rows=sum(x.duplicate_rows for x in parts),
            # a part's rows may stay on disk (Dask engine): counted from the parts
            output_rows=sum(x.output_rows for x in parts),
            notes=notes,
        )

    def as_dict(self) -> dict[str, Any]:
        """The accounting as a plain dict (for JSON and Parquet metadata)."""
        return {
            "dataset": self.dataset,
            "input_rows": self.input_rows,
            "used_rows": self.used_rows,
            "quarantined_rows": self.quarantined_rows,
            "duplicate_rows": self.duplicate_rows,
            "output_rows": self.output_rows,
            "notes": list(self.notes),
        }

    def __str__(self) -> str:
        lines = [
            f"{self.dataset}: {self.input_rows:,} input rows",
            f"  used          {self.used_rows:>12,}",
            f"  quarantined   {self.quarantined_rows:>12,}",
            f"  duplicates    {self.duplicate_rows:>12,}",
            f"  -> output rows {self.output_rows:>11,}",
        ]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


@dataclass
class Cleaned:
    """Result of a cleaner: ``data`` (validated later), ``quarantine`` and ``summary``."""

    data: pd.DataFrame
    quarantine: pd.DataFrame
    summary: RowAccounting
    options: dict[str, Any] = field(default_factory=dict)
    #: what was read: path, format/encoding (filled by ``datasets.clean_file``)
    source: dict[str, Any] = field(default_factory=dict)


def empty_quarantine() -> pd.DataFrame:
    """A quarantine table with no rows and the standard columns."""
    return pd.DataFrame(
        {
            "source_row": pd.Series([], dtype="int64"),
            "column": pd.Series([], dtype="object"),
            "raw_value": pd.Series([], dtype="object"),
            "reason": pd.Series([], dtype="object"),
        }
    )


def quarantine_rows(
    source_row: Iterable[int] | pd.Series | np.ndarray,
    column: str | Iterable[str],
    raw_value: Iterable[Any] | pd.Series,
    reason: str | Iterable[str],
) -> pd.DataFrame:
    """Build quarantine rows (vectorised); a scalar ``column`` or ``reason`` broadcasts."""
    rows = np.asarray(list(source_row), dtype="int64")
    n = len(rows)
    values = pd.Series(list(raw_value), dtype="object")
    values = values.where(values.notna(), None).map(lambda v: v if v is None else str(v))
    return pd.DataFrame(
        {
            "source_row": rows,
            "column": [column] * n if isinstance(column, str) else list(column),
            "raw_value": values.to_numpy(dtype=object),
            "reason": [reason] * n if isinstance(reason, str) else list(reason),
        }
    )


def first_problems(
    df: pd.DataFrame, problems: Iterable[tuple[pd.Series, str, str | pd.Series]]
) -> tuple[list[pd.DataFrame], pd.Series]:
    """Quarantine each row of ``df`` for the first problem that applies to it.

    Parameters
    ----------
    df
        Rows with a ``source_row`` column and the raw values of the named columns.
    problems
        ``(mask, column, reason)`` in order of precedence; ``reason`` is a string or a
        Series of per-row reasons aligned to ``df`` (e.g. a parser's ``error`` column).

    Returns
    -------
    (parts, bad)
        Quarantine frames (one per problem that hit) and the mask of quarantined rows.
    """
    parts: list[pd.DataFrame] = []
    bad = pd.Series(False, index=df.index)
    for mask, column, reason in problems:
        mask = mask & ~bad  # one reason per row: the first problem found
        if mask.any():
            why = reason if isinstance(reason, str) else reason[mask]
            parts.append(
                quarantine_rows(df.loc[mask, "source_row"], column, df.loc[mask, column], why)
            )
        bad |= mask
    return parts, bad


def concat_quarantine(parts: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Stack quarantine parts, ordered by source row then column (stable output)."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return empty_quarantine()
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["source_row", "column"], kind="stable").reset_index(drop=True)


def source_rows(df: pd.DataFrame) -> pd.Series:
    """1-based data-row numbers as a user sees them in a spreadsheet (header = row 1).

    Uses ``df['source_row']`` when a reader recorded it (:func:`lsimpact.io.read_table`
    does where lines and positions differ: blank lines, cells with line breaks, stacked
    Excel sheets), else the position.
    """
    if "source_row" in df.columns:
        return df["source_row"].astype("int64")
    return pd.Series(np.arange(2, len(df) + 2, dtype="int64"), index=df.index, name="source_row")


@dataclass(frozen=True)
class DatasetSpec:
    """How one processed table is made (a row of ``datasets.REGISTRY``).

    Attributes
    ----------
    name
        Processed table name (file ``data/processed/<name>.parquet``, ``load(name)``).
    inputs
        Catalogue resource names passed positionally to ``cleaner``; the first is the
        *primary* input, the one a user's own file replaces (``load(name, source=...)``).
    cleaner
        Pure function ``(*frames, **options) -> Cleaned``.
    schema
        Zero-argument callable returning the pandera schema of the output.
    description
        One line shown by ``lsimpact data --list`` and in the README.
    options
        Default cleaner options (recorded in the fingerprint).
    aliases
        Other names accepted by ``get`` and the CLI (``followers`` for ``followers_daily``).
    clock_options
        Options that default to today's date when unset, filled in by ``datasets`` so the
        cleaner never reads the clock (e.g. ``today`` for future-date checks).
    entity
        Output columns that identify one entity whose rows must be cleaned together
        (``("platform", "account_id")`` for follower snapshots). Empty: the cleaner only
        runs in memory. A dataset with an entity can run chunked or on Dask
        (:mod:`lsimpact.engines`): its cleaner accepts ``partition=True`` (an input that
        is one part of a larger one: no usable row is not an error there), and it gives
        ``entity_hash`` and ``combine``.
    entity_hash
        ``raw frame -> uint64 per row``, equal for all rows of one entity as the cleaner
        will see it (after its header and text normalisation); rows are partitioned by it.
    combine
        ``list of Cleaned (one per partition) -> Cleaned``, equal to what the cleaner
        returns for the whole input.
    entity_keys
        Optional, for a dataset whose entities are only known from the whole input (a
        price row without product_id belongs to the product that has its name + pack):
        ``raw batch -> DataFrame`` of the batch's distinct key combinations. The chunked
        and Dask engines then run it over every batch first, stack the results and
        partition by ``entity_hasher(keys)`` instead of ``entity_hash``.
    entity_hasher
        ``all key combinations -> (raw frame -> uint64 per row)`` (with ``entity_keys``).
    paired_inputs
        Secondary inputs that describe the same data as the primary one (the live-session
        calendar of a price log), unlike reference data (a classification). With a user's
        own primary file they never come from the catalogue: the cleaner gets ``None``
        unless the user gives their own (``paired={name: path}``; CLI ``--with``). The
        chunked and Dask engines pass every secondary input whole to each partition.
    read_options
        Keyword options of :func:`lsimpact.io.read_table` for a user's primary file
        (``{"categorical": True}`` for the follower log: ids, names and labels repeat on
        every row, so they are held as categoricals, a tenth of their text's memory).
    """

    name: str
    inputs: tuple[str, ...]
    cleaner: Callable[..., Cleaned]
    schema: Callable[[], Any]
    description: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    clock_options: tuple[str, ...] = ()
    entity: tuple[str, ...] = ()
    entity_hash: Callable[[pd.DataFrame], np.ndarray] | None = None
    combine: Callable[[list[Cleaned]], Cleaned] | None = None
    paired_inputs: tuple[str, ...] = ()
    entity_keys: Callable[[pd.DataFrame], pd.DataFrame] | None = None
    entity_hasher: Callable[[pd.DataFrame], Callable[[pd.DataFrame], np.ndarray]] | None = None
    read_options: Mapping[str, Any] = field(default_factory=dict)


def require_columns(
    df: pd.DataFrame,
    columns: Iterable[str],
    *,
    what: str = "input",
    optional: Iterable[str] = (),
    hint: str = "rename the columns in the file header to the expected names (see README)",
    expected: str | None = None,
    path: Any = None,
) -> None:
    """Refuse a frame that lacks any of ``columns``, naming the file, the missing columns,
    the columns it has and the fix (``expected`` overrides the list of columns shown, e.g.
    to name the Chinese headers too; ``path`` the file named when ``df`` lost its attrs)."""
    columns = list(columns)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        opt = list(optional)
        raise InputError(
            f"{what}: missing column(s) {', '.join(missing)} "
            f"(the file has: {', '.join(map(str, df.columns))})",
            path=path if path is not None else df.attrs.get("source_path"),
            column=missing[0],
            expected=expected
            or f"the columns {', '.join(columns)}"
            + (f" (optional: {', '.join(opt)})" if opt else ""),
            hint=hint,
        )
