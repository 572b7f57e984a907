"""Engines that run a dataset's cleaner: in memory (``pandas``), in entity buckets with
bounded memory (``chunked``, :mod:`.chunked`) or on a Dask cluster (``dask``,
:mod:`.on_dask`, optional extra ``lsimpact[scale]``). All run the dataset's own cleaner,
so their outputs are equal."""

from __future__ import annotations

from .chunked import (
    BATCH_ROWS,
    BLOCK_BYTES,
    BUCKET_BYTES,
    ENGINES,
    PANDAS_PEAK_FACTOR,
    available_memory,
    choose_engine,
    clean_chunked,
    explain_engine,
    input_bytes,
    input_files,
    iter_batches,
    plan_input,
    read_input,
)

__all__ = [
    "BATCH_ROWS",
    "BLOCK_BYTES",
    "BUCKET_BYTES",
    "ENGINES",
    "PANDAS_PEAK_FACTOR",
    "available_memory",
    "choose_engine",
    "clean_chunked",
    "clean_dask",
    "explain_engine",
    "input_bytes",
    "input_files",
    "iter_batches",
    "plan_input",
    "read_input",
]


def clean_dask(*args, **kwargs):
    """:func:`lsimpact.engines.on_dask.clean_dask` (imported on use: Dask is optional)."""
    from .on_dask import clean_dask as run

    return run(*args, **kwargs)
