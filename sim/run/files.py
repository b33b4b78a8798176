"""Writing files and folders so that a reader never sees half of one.

``atomic_path`` is the one atomic file writer (write a temporary sibling, fsync it, rename
it into place, fsync the folder). ``staged_folder`` does the same for a whole output
folder: a run writes into a hidden sibling and swaps it in only when every file is
complete, so the folder a user sees is wholly the old results or wholly the new ones.
"""

from __future__ import annotations

import ctypes
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sim.inputs.errors import OutputError

STAGING_MARK = ".durand-staging-"  # hidden siblings: a run in progress (or killed)
RETIRED_MARK = ".durand-retired-"  # hidden siblings: old results being removed


def fsync_path(path: Path) -> None:
    """Flush a file's or a folder's data and metadata to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def atomic_path(final: Path, *, durable: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``final``; once the block has written it, fsync it
    (``durable``) and rename it into place. On any failure nothing is left behind."""
    tmp = final.with_name(f".{final.name}.{os.getpid()}.part")
    try:
        yield tmp
        if durable:
            fsync_path(tmp)
        os.replace(tmp, final)
        if durable:
            fsync_path(final.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str, what: str) -> Path:
    """Write a text file atomically, creating its folder; a failure is an OutputError
    naming ``what`` and leaves no half-written file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as tmp:
            tmp.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"cannot write {what} to {path}: {exc.strerror or exc}") from None
    return path


def leftovers(out: Path) -> list[Path]:
    """Hidden siblings of ``out`` left by a run that was killed: never results."""
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        return []
    marks = (f".{out.name}{STAGING_MARK}", f".{out.name}{RETIRED_MARK}")
    return sorted(p for p in parent.iterdir() if p.name.startswith(marks))


def clean_leftovers(out: Path) -> list[Path]:
    """Remove what a killed run left beside ``out``; restore old results if a swap was cut
    short between its two renames (only where the atomic exchange is unavailable)."""
    gone = []
    for p in leftovers(out):
        if _owner_alive(p):
            continue  # another durand run writing to the same folder right now
        if p.name.startswith(f".{out.name}{RETIRED_MARK}") and not out.exists():
            os.replace(p, out)  # the old results never got replaced: put them back
            continue
        shutil.rmtree(p, ignore_errors=True)
        gone.append(p)
    return gone


def _owner_alive(p: Path) -> bool:
    pid = p.name.rsplit("-", 1)[-1]
    if not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def staged_folder(out: Path, keep: frozenset[str] | set[str] = frozenset()) -> Iterator[Path]:
    """Yield a fresh hidden folder beside ``out`` to write results into; when the block
    completes, fsync it and swap it in for ``out`` in one step, then remove the old
    folder. Files in the old folder whose names are not in ``keep``-able results (the
    user's own files) are carried over. On failure or interrupt the staging folder is
    removed and ``out`` is untouched."""
    out = Path(os.path.realpath(out))  # ".", "..", a symlink: swap the real folder
    out.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(out)
    stage = out.with_name(f".{out.name}{STAGING_MARK}{os.getpid()}")
    stage.mkdir()
    try:
        yield stage
        if out.is_dir():
            _carry_over(out, stage, keep)
        for f in stage.iterdir():
            fsync_path(f)
        fsync_path(stage)
        _swap_in(stage, out)
        fsync_path(out.parent)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


def _carry_over(old: Path, stage: Path, results: frozenset[str] | set[str]) -> None:
    """Hard-link (or copy) the user's own files from the old folder into the new one."""
    for item in old.iterdir():
        if item.name in results or (stage / item.name).exists():
            continue
        if item.is_dir() and not item.is_symlink():
            shutil.copytree(item, stage / item.name, symlinks=True, copy_function=_link_or_copy)
        else:
            _link_or_copy(item, stage / item.name)


def _link_or_copy(src, dst) -> None:
    try:
        os.link(src, dst, follow_symlinks=False)
    except OSError:
        shutil.copy2(src, dst, follow_symlinks=False)


_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    rc = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return rc == 0


def _swap_in(stage: Path, out: Path) -> None:
    if not out.exists():
        os.replace(stage, out)
        return
    if not out.is_dir():
        raise OutputError("{out} exists and is not a folder", settings={"out": out})
    retired = out.with_name(f".{out.name}{RETIRED_MARK}{os.getpid()}")
    if _exchange(stage, out):
        os.replace(stage, retired)  # stage now holds the old results
    else:  # two renames; a kill between them is repaired by clean_leftovers
        os.replace(out, retired)
        os.replace(stage, out)
    shutil.rmtree(retired, ignore_errors=True)
