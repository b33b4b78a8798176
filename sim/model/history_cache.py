"""A disk cache of history prefixes: the world a run reaches at its start month.

The prefix (January 2023 up to a scenario's start) is a pure function of the parameters,
the seed, the replicate ids, the timeline's levers and events, and the model's code. Its
end state is stored under a digest of all of these, so a later process that asks for the
same prefix loads the exact arrays instead of running it (bit-identical by construction:
the arrays are the ones the run produced). Set DURAND_HISTORY_CACHE=0 to turn it off;
any problem reading or writing the cache is ignored and the prefix is simply run.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import fields
from functools import cache
from pathlib import Path

import numpy as np

from sim.model.state import World

ROOT = Path(__file__).resolve().parents[2]
MAX_ENTRIES = 32
MAX_REPLICATES = 20_000  # larger prefixes are run, not stored


def folder() -> Path | None:
    """Where prefixes are kept, or None when the cache is off."""
    if os.environ.get("DURAND_HISTORY_CACHE", "1") == "0":
        return None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "durand" / "history"


@cache
def code_fingerprint() -> str:
    """The model's code, data and timeline files, and numpy's version."""
    h = hashlib.sha256(np.__version__.encode())
    paths = sorted((ROOT / "sim" / "model").glob("*.py"))
    paths += sorted((ROOT / "sim" / "data").glob("*.yaml"))
    paths += [ROOT / "scenarios" / "history_2023.yaml", ROOT / "scenarios" / "baseline.yaml"]
    for path in paths:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def digest(params: dict, seed: int, offset: int, ids: np.ndarray) -> str:
    h = hashlib.sha256(code_fingerprint().encode())
    h.update(json.dumps([params, seed, offset], sort_keys=True).encode())
    h.update(np.asarray(ids, dtype=np.int64).tobytes())
    return h.hexdigest()[:40]


def load(key: str) -> tuple[World, list[dict]] | None:
    where = folder()
    if where is None:
        return None
    try:
        with np.load(where / f"{key}.npz", allow_pickle=False) as data:
            world = World(**{f.name: np.array(data[f.name]) for f in fields(World)})
            applied = json.loads(str(data["_applied"]))
        return world, applied
    except (OSError, KeyError, ValueError, TypeError):
        return None


def store(key: str, world: World, applied: list[dict]) -> None:
    where = folder()
    if where is None or world.replicates > MAX_REPLICATES:
        return
    try:
        where.mkdir(parents=True, exist_ok=True)
        arrays = {f.name: getattr(world, f.name) for f in fields(World)}
        fd, tmp = tempfile.mkstemp(dir=where, suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            np.savez(out, _applied=np.array(json.dumps(applied)), **arrays)
        os.replace(tmp, where / f"{key}.npz")
        entries = sorted(where.glob("*.npz"), key=lambda p: p.stat().st_mtime)
        for old in entries[:-MAX_ENTRIES]:
            old.unlink(missing_ok=True)
    except OSError:
        return
