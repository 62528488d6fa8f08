"""Input files: expanding paths, folders and globs, and recognising formats by extension."""

from __future__ import annotations

import glob
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from okrpipe.errors import UsageError

Format = Literal["ndjson", "csv", "parquet"]

_FORMATS: dict[str, Format] = {
    ".jsonl": "ndjson",
    ".ndjson": "ndjson",
    ".csv": "csv",
    ".parquet": "parquet",
}


@dataclass(frozen=True)
class InputFile:
    """One file to ingest: its path, format and whether it is gzip-compressed."""

    path: Path
    format: Format
    gzip: bool

    @property
    def compression(self) -> str | None:
        return "gzip" if self.gzip else None


def detect(path: Path) -> InputFile | None:
    """The input format of ``path`` from its extension, or None if it is not an input file."""
    suffixes = [s.lower() for s in path.suffixes]
    gz = bool(suffixes) and suffixes[-1] == ".gz"
    if gz:
        suffixes = suffixes[:-1]
    if not suffixes or suffixes[-1] not in _FORMATS:
        return None
    return InputFile(path=path, format=_FORMATS[suffixes[-1]], gzip=gz)


SUPPORTED = ", ".join(sorted(_FORMATS)) + " (each optionally .gz)"


def expand(paths: list[str]) -> list[InputFile]:
    """Files named directly, found in folders (recursively, sorted) or matched by globs.

    A file named directly must have a supported extension; files of other types inside
    folders are left alone. Duplicates (the same resolved path) are listed once.
    """
    found: list[InputFile] = []
    seen: set[Path] = set()

    def add(candidate: Path, *, explicit: bool) -> None:
        resolved = candidate.resolve()
        if resolved in seen:
            return
        item = detect(candidate)
        if item is None:
            if explicit:
                raise UsageError(
                    f"{candidate}: not an input file; supported extensions are {SUPPORTED}"
                )
            return
        seen.add(resolved)
        found.append(item)

    for spec in paths:
        path = Path(spec)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if not any(part.startswith(".") for part in child.relative_to(path).parts):
                    add(child, explicit=False)
        elif path.is_file():
            add(path, explicit=True)
        elif glob.has_magic(spec):
            matches = sorted(Path(m) for m in glob.glob(spec, recursive=True))
            files = [m for m in matches if m.is_file()]
            if not files:
                raise UsageError(f"{spec}: the pattern matches no files")
            for match in files:
                add(match, explicit=False)
        else:
            raise UsageError(f"{spec}: no such file or folder")
    return found
