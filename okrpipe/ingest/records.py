"""Splitting NDJSON and CSV files into records, chunk by chunk, without per-row Python.

A file is read into a reusable buffer of ``chunk_bytes``; numpy finds the record ends in it
(newlines, and for CSV only newlines outside double quotes, by quote parity) and the records
are handed to DuckDB as Arrow arrays that point into the buffer.

Only a chunk that holds invalid UTF-8 falls back to decoding its records one by one, so that
the bad rows can be quarantined with their bytes shown as ``\\xNN`` escapes.
"""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np
import pyarrow as pa

from okrpipe.errors import InputFileError

DEFAULT_CHUNK_BYTES = 64 << 20
_FIRST_BUFFER = 1 << 20
_BOM = b"\xef\xbb\xbf"
_NL, _CR, _QUOTE, _COMMA = 10, 13, 34, 44
_WHITESPACE = np.zeros(256, dtype=bool)
_WHITESPACE[[9, 10, 13, 32]] = True


@dataclass
class _Span:
    """Records of one chunk: byte ranges [start, end) in ``data`` (terminators excluded)."""

    data: np.ndarray
    start: np.ndarray
    end: np.ndarray
    stop: int  # where the last record's terminator ends (the next record would start)
    base: int = 0  # offset of data[0] in the (decompressed) stream

    def offsets(self) -> pa.Array:
        """Where each record starts in the stream."""
        return pa.array(self.start + self.base, pa.int64())

    def lengths(self) -> pa.Array:
        """Each record's length in bytes, without its terminator."""
        return pa.array((self.end - self.start).astype(np.int32), pa.int32())


def _outside_quotes(positions: np.ndarray, quotes: np.ndarray) -> np.ndarray:
    """The positions preceded by an even number of double quotes (outside a quoted field)."""
    selected: np.ndarray = positions[(np.searchsorted(quotes, positions) & 1) == 0]
    return selected


def _fill(stream: BinaryIO, buf: bytearray, filled: int) -> tuple[int, bool]:
    view = memoryview(buf)
    try:
        while filled < len(buf):
            n = stream.readinto(view[filled:])  # type: ignore[attr-defined]
            if not n:
                return filled, True
            filled += n
    except gzip.BadGzipFile as exc:
        raise InputFileError(f"not a readable gzip file ({exc})") from None
    except zlib.error as exc:
        raise InputFileError(f"not a readable gzip file (corrupt data: {exc})") from None
    except EOFError:
        raise InputFileError("the compressed stream ends early: the file is truncated") from None
    except OSError as exc:
        raise InputFileError(f"cannot read: {exc}") from None
    finally:
        view.release()
    return filled, False


def _spans(stream: BinaryIO, chunk_bytes: int, *, csv_quotes: bool) -> Iterator[_Span]:
    """Yield the complete records of the stream, one chunk at a time.

    Every chunk gets a buffer of its own, so a chunk stays valid while the next one is read
    (the reader runs one chunk ahead of DuckDB on another thread).
    """
    # start small and double up to chunk_bytes: small files should not pay for big buffers
    size = min(chunk_bytes, _FIRST_BUFFER)
    buf = bytearray(size)
    filled, first, base = 0, True, 0
    while True:
        filled, eof = _fill(stream, buf, filled)
        if first:
            first = False
            if buf[:3] == _BOM:
                buf[: filled - 3] = buf[3:filled]
                filled -= 3
                base = 3
        if filled == 0:
            return
        data = np.frombuffer(buf, dtype=np.uint8, count=filled)
        ends = np.flatnonzero(data == _NL)
        if csv_quotes:
            ends = _outside_quotes(ends, np.flatnonzero(data == _QUOTE))
        if eof and (len(ends) == 0 or ends[-1] != filled - 1):
            ends = np.append(ends, filled)  # last record without a trailing newline
        if len(ends) == 0:
            grown = bytearray(2 * len(buf))  # a record longer than the buffer
            grown[:filled] = buf[:filled]
            buf = grown
            continue
        cut = min(int(ends[-1]) + 1, filled)
        starts = np.empty(len(ends), dtype=np.int64)
        starts[0] = 0
        starts[1:] = ends[:-1] + 1
        stops = ends.copy()
        has_cr = (stops > starts) & (data[np.maximum(stops - 1, 0)] == _CR)
        stops[has_cr] -= 1
        rest = filled - cut
        size = min(chunk_bytes, 2 * size)
        following = bytearray(max(size, 2 * rest))
        following[:rest] = buf[cut:filled]
        yield _Span(data=data, start=starts, end=stops, stop=cut, base=base)
        if eof and rest == 0:
            return
        buf, filled, base = following, rest, base + cut


def _records(span: _Span) -> pa.Array:
    """Every record of the span with its line terminator, as a zero-copy string array."""
    offsets = np.append(span.start, span.stop).astype(np.int64)
    return pa.Array.from_buffers(
        pa.large_string(), len(span.start), [None, pa.py_buffer(offsets), pa.py_buffer(span.data)]
    )


def _checked(arr: pa.Array) -> tuple[pa.Array, np.ndarray | None]:
    """The array if it is valid UTF-8; else escaped text and a mask of the bad rows."""
    try:
        arr.validate(full=True)
        return arr, None
    except pa.ArrowInvalid:
        pass
    texts: list[str] = []
    bad: list[bool] = []
    for item in arr.cast(pa.large_binary()).to_pylist():
        try:
            texts.append(item.decode("utf-8"))
            bad.append(False)
        except UnicodeDecodeError:
            texts.append(item.decode("utf-8", errors="backslashreplace"))
            bad.append(True)
    return pa.array(texts, pa.large_string()), np.array(bad, dtype=bool)


def _blank(span: _Span) -> np.ndarray:
    """Records holding only whitespace. Only records that start with whitespace are checked
    byte by byte; in real files they are rare."""
    start, end, data = span.start, span.end, span.data
    blank: np.ndarray = end == start
    suspects = np.flatnonzero(~blank & _WHITESPACE[data[np.minimum(start, len(data) - 1)]])
    for i in suspects:
        blank[i] = not bytes(data[start[i] : end[i]]).strip()
    return blank


def ndjson_chunks(stream: BinaryIO, chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> Iterator[pa.Table]:
    """NDJSON lines as tables (row_number, raw, blank, bad_encoding, byte_offset,
    byte_length).

    ``raw`` keeps the line terminator; blank lines (whitespace only) are flagged, not
    numbered: they are not rows. byte_offset/byte_length locate the line in the stream.
    """
    next_row = 1
    for span in _spans(stream, chunk_bytes, csv_quotes=False):
        blank = _blank(span)
        numbers = np.cumsum(~blank, dtype=np.int64) + (next_row - 1)
        raw, bad = _checked(_records(span))
        n = len(span.start)
        yield pa.table(
            {
                "row_number": pa.array(numbers),
                "raw": raw,
                "blank": pa.array(blank),
                "bad_encoding": pa.array(bad if bad is not None else np.zeros(n, dtype=bool)),
                "byte_offset": span.offsets(),
                "byte_length": span.lengths(),
            }
        )
        next_row += int(n - blank.sum())


@dataclass
class CsvChunks:
    """A CSV file's header and an iterator over its rows as tables.

    Table columns: row_number, raw, blank, malformed (wrong field count, unbalanced quotes or
    invalid UTF-8), ``cells``: the record's cells as written, each still ending with the
    separator that closed it (a comma or the line terminator) and quoted cells still quoted,
    and byte_offset/byte_length locating the record in the stream.
    """

    header: list[str]
    tables: Iterator[pa.Table]


def _parse_header(record: bytes) -> list[str]:
    try:
        text = record.decode("utf-8")
        rows = list(csv.reader(io.StringIO(text), strict=True))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputFileError(f"the CSV header cannot be parsed ({exc})") from None
    if len(rows) != 1 or not rows[0] or all(not name.strip() for name in rows[0]):
        raise InputFileError("the CSV file has no header row")
    header = [name.strip() for name in rows[0]]
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        raise InputFileError(f"the CSV header names {', '.join(duplicates)} more than once")
    return header


def csv_chunks(stream: BinaryIO, chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> CsvChunks:
    """Split a CSV stream (RFC 4180: commas, double quotes, quoted newlines) into rows."""
    spans = _spans(stream, chunk_bytes, csv_quotes=True)
    header: list[str] | None = None
    first: _Span | None = None
    for span in spans:
        nonblank = np.flatnonzero(span.end > span.start)
        if len(nonblank) == 0:
            continue
        i = int(nonblank[0])  # the header is the first non-empty record
        header = _parse_header(bytes(span.data[span.start[i] : span.end[i]]))
        first = _Span(span.data, span.start[i + 1 :], span.end[i + 1 :], span.stop, span.base)
        break
    if header is None or first is None:
        raise InputFileError("the CSV file is empty: it has no header row")
    return CsvChunks(header=header, tables=_csv_tables(first, spans, len(header)))


def _csv_tables(first: _Span, rest: Iterator[_Span], ncols: int) -> Iterator[pa.Table]:
    next_row = 1
    span: _Span | None = first
    while span is not None:
        table = _csv_table(span, ncols, next_row)
        next_row += int(len(span.start) - (span.end == span.start).sum())
        yield table
        span = next(rest, None)


def _csv_table(span: _Span, ncols: int, first_row: int) -> pa.Table:
    data, start, end = span.data, span.start, span.end
    n = len(start)
    blank = end == start  # an empty line is not a row
    base = int(start[0]) if n else span.stop
    region = data[base : span.stop]
    quotes = np.flatnonzero(region == _QUOTE) + base
    commas = _outside_quotes(np.flatnonzero(region == _COMMA) + base, quotes)
    # every cell keeps the separator that ends it (a comma or the line terminator), so the
    # cells of the chunk tile the buffer and need no copy
    record_stops = np.append(start[1:], span.stop) if n else start
    bounds = np.sort(np.concatenate((commas + 1, record_stops)))
    cell_offsets = np.concatenate((start[:1], bounds)).astype(np.int64)
    cells = pa.Array.from_buffers(
        pa.large_string(), len(bounds), [None, pa.py_buffer(cell_offsets), pa.py_buffer(data)]
    )
    nfields = np.searchsorted(commas, end) - np.searchsorted(commas, start) + 1
    # a record that ends inside quotes was cut by the end of the file: unbalanced
    closed = (np.searchsorted(quotes, end) & 1) == 0
    ok = (nfields == ncols) & closed & ~blank
    raw, bad = _checked(_records(span))
    if bad is not None:
        ok &= ~bad
        cells = cells if bool(ok.all()) else _checked(cells)[0]
    row_offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(nfields, out=row_offsets[1:])
    return pa.table(
        {
            "row_number": pa.array(np.cumsum(~blank, dtype=np.int64) + (first_row - 1)),
            "raw": raw,
            "blank": pa.array(blank),
            "malformed": pa.array(~ok & ~blank),
            "cells": pa.LargeListArray.from_arrays(pa.array(row_offsets), cells),
            "byte_offset": span.offsets(),
            "byte_length": span.lengths(),
        }
    )


def raw_records(
    stream: BinaryIO,
    wanted: np.ndarray,
    *,
    csv_quotes: bool,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
) -> Iterator[tuple[int, str]]:
    """(row_number, text) of the rows listed in ``wanted`` (sorted row numbers).

    Rows are numbered exactly as :func:`ndjson_chunks` and :func:`csv_chunks` number them;
    only the wanted records are decoded (invalid UTF-8 shown as ``\\xNN`` escapes).
    """
    next_row = 1
    header_pending = csv_quotes
    for span in _spans(stream, chunk_bytes, csv_quotes=csv_quotes):
        start, end = span.start, span.end
        blank = end == start if csv_quotes else _blank(span)
        if header_pending:
            nonblank = np.flatnonzero(~blank)
            if len(nonblank) == 0:
                continue
            header_pending = False
            skip = int(nonblank[0]) + 1
            start, end, blank = start[skip:], end[skip:], blank[skip:]
        numbers = np.cumsum(~blank, dtype=np.int64) + (next_row - 1)
        first = next_row
        next_row += int((~blank).sum())
        # only the wanted numbers of this chunk: a whole rejected batch wants every row
        here = wanted[np.searchsorted(wanted, first) : np.searchsorted(wanted, next_row)]
        hit = ~blank & np.isin(numbers, here)
        for i in np.flatnonzero(hit):
            text = bytes(span.data[start[i] : end[i]]).decode("utf-8", errors="backslashreplace")
            yield int(numbers[i]), text
