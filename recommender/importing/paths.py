"""Expand the path arguments of an import into the files to read.

No Django imports here.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator, Sequence
from pathlib import Path

from recommender.importing.report import FileReport, ImportReport

FILE_KINDS = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


def expand_paths(paths: Sequence[str | Path], report: ImportReport) -> Iterator[Path]:
    """Yield the files to import, and report each path that gives none.

    A directory stands for the regular files directly inside it, sorted by
    name. A path that is missing, unreadable, not a regular file, or an
    empty directory gets a FileReport with an error in `report`.
    """
    for raw_path in paths:
        path = Path(raw_path)
        if path.is_file():
            yield path
            continue
        files: list[Path] = []
        if path.is_dir():
            files, error = _list_directory(path)
        else:
            error = _describe_non_file(path)
        if error is not None:
            report.files.append(FileReport(path=str(path), error=error))
        yield from files


def _list_directory(path: Path) -> tuple[list[Path], str | None]:
    try:
        files = sorted(child for child in path.iterdir() if child.is_file())
    except OSError as error:
        return [], (
            f"{path}: cannot list the directory ({error.strerror}); check its "
            "permissions."
        )
    if not files:
        return [], (
            f"{path}: the directory contains no regular files (subdirectories "
            "are not searched); pass a directory that contains input files, or "
            "the files themselves."
        )
    return files, None


def _describe_non_file(path: Path) -> str:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return f"{path}: no such file or directory; check the path."
    except OSError as error:
        return (
            f"{path}: cannot read the path ({error.strerror}); check its permissions."
        )
    kind = FILE_KINDS.get(stat.S_IFMT(mode), "a special file")
    return (
        f"{path}: {kind}, not a regular file or directory; write the data to a "
        "file and pass that file."
    )
