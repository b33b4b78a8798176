"""Fuzz campaign (issue 15): thousands of malformed inputs of each kind through the CLI.

Generates malformed scenarios, sweep specs, doctrines and saved games by mutating the
shipped ones (hostile values, tags, dates, huge numbers, control characters, deep
nesting, references to devices, pipes and files outside the user's folders, structural
damage), runs each through the ``durand`` command's own code path in this process
(``validate``, ``sweep``, ``play --doctrine``, ``play --load``; validation only: the
model is stopped where it would start), with a per-input timeout and a memory cap, and
prints per kind: count, exit codes, internal errors, hangs over 10 s, memory blow-ups,
errors lacking a file and a location, and leaks of a secret marker.

    python benchmarks/fuzz_campaign.py                 # 2,000 inputs of each kind
    python benchmarks/fuzz_campaign.py --per-kind 200  # a quick look

Exit status 1 if any input broke a promise (so CI could run a small campaign).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import resource
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BASELINE = ROOT / "scenarios" / "baseline.yaml"
SMOKE = ROOT / "scenarios" / "sweeps" / "smoke.yaml"
DOCTRINES = ROOT / "sim" / "game" / "doctrines"
SECRET = "CAMPAIGN-SECRET-5e1d"
HANG_S = 10.0
LOCATED = re.compile(r"^(?P<file>\S.*?)(?::(?P<line>\d+)|#(?P<ptr>/\S*)): error")


class Validated(BaseException):
    """The input was accepted: the command reached the point where the model would run."""


class TimedOut(BaseException):
    pass


def _stop(*args, **kwargs):
    raise Validated


def _alarm(signum, frame):
    raise TimedOut


# ------------------------------------------------------------------ hostile material


def hostile_scalars(place: Path) -> list[str]:
    """YAML texts for a value: each is malformed somewhere a loader might trip."""
    return [
        "!!bool maybe", "!!timestamp foo", "!!float ''", "!!int abc", "!!int 0x", "!!null x",
        "!!binary ???", "!!python/object/apply:os.system ['true']", "!!set {a}", "!<tag:x> 1",
        "9" * 5000, "1" * 401, "-" + "1" * 30, "1.0e+999", "-1.0e+999", ".nan", ".inf",
        "0x" + "f" * 40, "0o777777777777777777777777", "1:2:3:4:5:6:7:8:9:10:11:12",
        "2025-02-30", "2025-03-99", '"2025-03-99"', "9999-12-01", "0001-01-01", '"1850-01"',
        "２０２５-０３", '"٢٠٢٥-٠٣"', "2025-13", "2025-00", '"2025-3-1"', "2025-03-01T25:00:00",
        "[" * 300 + "]" * 300, "{a: " * 100 + "1" + "}" * 100, "&a [*a]", "*nope", "&a 1",
        '"a\\0b"', '"\\x01"', "''", "~", "[]", "{}", "[1, 2", '"unclosed', "'it''s", "|",
        ">-", "- a", "? a", "%", "@", "`", "\t1", '"' + "x" * 2000 + '"', "yes", "no", "on",
        "US", "TTP", "PAK.yaml", f'"{place / "fifo.yaml"}"', '"/dev/zero"', '"/dev/stdin"',
        '"/proc/self/environ"', f'"{place / "secret.yaml"}"', f'"{place / "secret"}"',
        '"' + "a" * 300 + '.yaml"', '"../../../../../../../../etc/shadow"', "-0", "00012",
        '"\\ud800"', '"x\\udfff.yaml"',
    ]  # fmt: skip


def hostile_lines(place: Path) -> list[str]:
    """Whole lines (or blocks) to insert into a YAML file."""
    deep = "".join(" " * i + f"k{i}:\n" for i in range(1, 400)) + " " * 400 + "x: 1\n"
    many = "events:\n" + "".join(
        f"  - {{at: 2025-{1 + i % 12:02d}, set: {{US.do_more: 0.1}}}}\n" for i in range(2100)
    )
    return [
        "extends: /dev/zero", f"extends: {place / 'fifo.yaml'}", f"extends: {place / 'secret'}",
        f"extends: {place / 'secret.yaml'}", "extends: ../../../../../../../etc/shadow",
        'extends: "a\\0b.yaml"', "extends: " + "a" * 300 + ".yaml", "extends: /proc/self/environ",
        "extends: .", "extends: /", f"base: {place / 'secret.yaml'}", "base: /dev/zero",
        "events:\n  - at: 2099-01\n    shock: {type: tension_shock, change: 0.1}",
        "events:\n  - at: 2025-02-30\n    set: {US.do_more: 0.1}",
        "events:\n  - {at: 2026-01}", "events: [" + "{}, " * 50 + "]", "start: 9999-12-01",
        "months: 100000000000000000000", "seed: 18446744073709551616", "title: \x01",
        "title: a\x00b", "description: \x1b[2J", "\ufeff", "---", "...", "%YAML 1.1", "%TAG ! x",
        deep, many, "x: " + "[" * 1000 + "]" * 1000, "a: &a [*a, *a]", "? [a]\n: b", "<<: {a: 1}",
        "role: TTP", "role: PAK", "sampler: grid", "points: 0", "replicates: 0",
    ]  # fmt: skip


EXPRESSIONS = [
    "where(attacks.PAK, 1)", "minimum(attacks.PAK)", "exp(attacks.PAK, 1)",
    "maximum(attacks.PAK, 1, 2, 3)", "attacks.PAK > attacks.TTP > 1", "attacks.PAK + _m1",
    "attacks.PAK + _m0", "attacks.PAK + _c0", "attacks.PAK * 1e309", "attacks.PAK * 1" + "0" * 400,
    "+".join(["attacks.PAK"] * 20_000), "(" * 300 + "attacks.PAK" + ")" * 300, "abs",
    "attacks.PAK + abs", "attacks.PAK.real", "attacks.PAK[0]", "__import__('os')", "lambda: 1",
    "attacks.PAK if 1 else 2", "-(attacks.PAK > 1)", "(attacks.PAK > 1) - (attacks.TTP > 1)",
    "attacks.PAK ** attacks.PAK ** attacks.PAK", "log(-attacks.PAK)", "sqrt(attacks.PAK - 1e9)",
    "clip(attacks.PAK, 1)", "where(attacks.PAK > 1, attacks.PAK)", "attacks.PAK // 2",
    "attacks.PAK % 2", "attacks.PAK & 1", "not attacks.PAK", "attacks.PAK and 1", "'text'",
    "attacks.PAK == 1", "attacks.ＰＡＫ", "attacks.PAK\x00", "f'{attacks.PAK}'", "[attacks.PAK]",
    "attacks.PAK; 1", "attacks.PAK + 1j", "attacks.PAK + True", "exp(*attacks.PAK)",
    "exp(x=attacks.PAK)", "1 + 2", "attacks.PAK +", "attacks.PAK + nonexistent.metric",
]  # fmt: skip
JSON_HOSTILE = [
    "true", "false", "null", "{}", "[]", '""', "1.5", "-1", "0", "1" + "0" * 400, "9" * 5000,
    "18446744073709551616", "-9223372036854775809", "1e400", "-1e400", "NaN", "Infinity",
    "-Infinity", '"/dev/zero"', '"/dev/stdin"', '"a\\u0000b"', '"' + "x" * 300 + '.yaml"',
    '"../../../../../../etc/shadow"', '"scenarios/nowhere.yaml"', '"sim/game/doctrines/PAK.yaml"',
    '"TTP"', '"US"', '"bot"', '"person"', '"absolute"', '"save"', '"project"', '{"kind": {}}',
    '{"kind": ["end_turn"]}', '{"kind": "set"}', '{"kind": "end_turn", "x": 1}', '"\\ud800"',
    "[" * 60 + "]" * 60, "[" * 50_000 + "]" * 50_000, '{"a":' * 40 + "1" + "}" * 40,
    '"durand-play-save"', "1", "2", '"1"', "[1, 2, 3]", '{"US": "bot"}',
]  # fmt: skip
RAW_PIECES = ["\x00", "\x01", "\x07", "\x1b", "\x7f", "\t", "\n", "\r", ":", "[", "]", "{", "}",
              "&", "*", "!", "|", ">", "'", '"', "#", "- ", "  ", "\ufeff", "\u2028", "\ud7ff",
              "é", "２", ",", "\\", "%"]  # fmt: skip


# ------------------------------------------------------------------ mutators


def _yaml_mutation(rng: random.Random, text: str, place: Path, extra: list[str]) -> str:
    lines = text.splitlines()
    op = rng.randrange(9)
    if op <= 2 and lines:  # a hostile value for an existing key
        keyed = [i for i, line in enumerate(lines) if re.match(r"^\s*[-\w. ]+:\s*\S", line)]
        if keyed:
            i = rng.choice(keyed)
            key = lines[i].split(":", 1)[0]
            lines[i] = f"{key}: {rng.choice(hostile_scalars(place) + extra)}"
    elif op == 3:  # a hostile line or block
        lines.insert(rng.randrange(len(lines) + 1), rng.choice(hostile_lines(place)))
    elif op == 4 and lines:  # delete, duplicate or swap lines
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        choice = rng.randrange(3)
        if choice == 0:
            del lines[i]
        elif choice == 1:
            lines.insert(i, lines[j])
        else:
            lines[i], lines[j] = lines[j], lines[i]
    elif op == 5 and lines:  # indentation
        i = rng.randrange(len(lines))
        lines[i] = (
            " " * rng.choice([1, 2, 3, 4, 8]) + lines[i]
            if rng.random() < 0.6
            else lines[i].lstrip()
        )
    elif op == 6:  # raw characters anywhere
        pos = rng.randrange(len(text) + 1)
        return text[:pos] + rng.choice(RAW_PIECES) + text[pos:]
    elif op == 7:  # truncated
        return text[: rng.randrange(len(text) + 1)]
    elif lines:  # a key renamed
        keyed = [i for i, line in enumerate(lines) if ":" in line]
        if keyed:
            i = rng.choice(keyed)
            key, rest = lines[i].split(":", 1)
            stem = key.strip() or "k"
            new = rng.choice([stem[:-1], stem + "s", stem.upper(), "_" + stem, "", stem * 2])
            lines[i] = key[: len(key) - len(key.lstrip())] + new + ":" + rest
    return "\n".join(lines) + "\n"


def mutate_yaml(rng: random.Random, text: str, place: Path, extra: list[str] = ()) -> str:
    for _ in range(rng.choice([1, 1, 2, 3])):
        text = _yaml_mutation(rng, text, place, list(extra))
    return text


def _paths(value, at=()):
    yield at
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, at + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, at + (i,))


def mutate_save(rng: random.Random, doc: dict) -> str:
    doc = json.loads(json.dumps(doc))
    raw = None
    for _ in range(rng.choice([1, 1, 2])):
        paths = [p for p in _paths(doc) if p]
        at = rng.choice(paths)
        parent = doc
        for key in at[:-1]:
            parent = parent[key]
        op = rng.randrange(5)
        if op <= 2:
            raw = rng.choice(JSON_HOSTILE)
            parent[at[-1]] = "@@HOSTILE@@"
        elif op == 3 and isinstance(parent, dict):
            del parent[at[-1]]
        elif isinstance(parent, dict):
            parent[rng.choice(["surprise", "Seed", "version ", "commands2"])] = 1
    text = json.dumps(doc, indent=1)
    if raw is not None:
        text = text.replace('"@@HOSTILE@@"', raw, 1)
    if rng.random() < 0.25:
        pos = rng.randrange(len(text) + 1)
        if rng.random() < 0.5:
            text = text[:pos]
        else:
            text = text[:pos] + rng.choice(RAW_PIECES) + text[pos:]
    return text


# ------------------------------------------------------------------ running


def run_cli(args: list[str], timeout: float) -> tuple[int | str, str, float, float]:
    """(exit code, output, wall seconds, CPU seconds) of one ``durand`` command."""
    from sim.cli.main import main

    out = io.StringIO()
    argv = sys.argv
    sys.argv = ["durand", *args]
    signal.setitimer(signal.ITIMER_REAL, timeout)
    started, cpu = time.perf_counter(), time.process_time()
    try:
        with redirect_stdout(out), redirect_stderr(out):
            try:
                main()
                code: int | str = 0
            except SystemExit as exc:
                code = 0 if exc.code is None else exc.code
            except Validated:
                code = 0
            except TimedOut:
                code = "timeout"
            except MemoryError:
                code = "memory"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        sys.argv = argv
    return code, out.getvalue(), time.perf_counter() - started, time.process_time() - cpu


def unlocated(output: str) -> list[str]:
    errors = [line for line in output.splitlines() if ": error" in line]
    if not errors:
        return [output.strip()[:200] or "(no message)"]
    bad = []
    for line in errors:
        m = LOCATED.match(line)
        if not (m and (m["line"] or m["ptr"])):
            bad.append(line[:200])
    return bad


def campaign(kind: str, make, n: int, timeout: float, show: int) -> dict:
    codes: Counter = Counter()
    internal, hangs, memory, missing, leaks, times, left = [], [], [], [], [], [], []
    cpus, slow = [], []
    i = 0
    while codes.total() - codes[0] < n and i < 5 * n:  # n refused (or broken) inputs
        i += 1
        path, args, out_dir = make(i)
        code, output, seconds, cpu = run_cli(args, timeout)
        cpus.append(cpu)
        if out_dir is not None and out_dir.exists():
            if code == 2:
                left.append(str(out_dir))
            shutil.rmtree(out_dir, ignore_errors=True)
        times.append(seconds)
        codes[code] += 1
        if code == "memory":
            memory.append(path)
        if code not in (0, 2, "timeout", "memory") or "internal error" in output:
            said = [x for x in output.splitlines() if "internal error" in x]
            internal.append((said or [f"exit {code}: {output.strip()[-200:]}"])[0][:300])
        if seconds > HANG_S or code == "timeout":
            hangs.append(f"{seconds:.1f} s wall, {cpu:.1f} s CPU")
        if seconds > HANG_S / 2:  # keep slow inputs for a look
            keep = path.with_name(f"slow-{kind}-{i}{path.suffix}")
            shutil.copyfile(path, keep)
            slow.append(f"{keep}: {seconds:.1f} s wall, {cpu:.2f} s CPU")
        if code == 2 and (bad := unlocated(output)):
            missing.append(bad[0])
        if SECRET in output:
            leaks.append(output[:200])
    report = {
        "kind": kind,
        "malformed inputs (refused or broken)": codes.total() - codes[0],
        "accepted (the mutation left it valid)": codes[0],
        "exit codes": dict(sorted(codes.items(), key=str)),
        "internal errors": len(internal),
        "hangs > 10 s": len(hangs),
        "memory blow-ups": len(memory),
        "errors lacking file+location": len(missing),
        "secret leaks": len(leaks),
        "output left by refused input": len(left),
        "median ms": round(1000 * statistics.median(times), 1),
        "max s": round(max(times), 2),
        "max CPU s": round(max(cpus), 2),
    }
    shown = (("internal", internal), ("unlocated", missing), ("leak", leaks), ("slow", slow))
    for label, items in shown:
        for item in items[:show]:
            print(f"  [{kind} {label}] {item}", file=sys.stderr)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-kind", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per input")
    parser.add_argument("--memory-gib", type=float, default=3.0, help="address-space cap")
    parser.add_argument("--kinds", default="scenario,sweep,doctrine,save")
    parser.add_argument("--show", type=int, default=3, help="examples printed per problem")
    opts = parser.parse_args()

    cap = int(opts.memory_gib * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (cap, resource.getrlimit(resource.RLIMIT_AS)[1]))
    signal.signal(signal.SIGALRM, _alarm)
    os.chdir(ROOT)

    save_seed = _save_seed()
    import sim.game.engine
    import sim.sweep.engine

    sim.game.engine.Game = _stop  # validation only: stop where a game would start the model
    sim.sweep.engine.make_runner = _stop  # ... and where a sweep would start running chunks

    rng = random.Random(opts.seed)
    work = Path(tempfile.mkdtemp(prefix="durand-fuzz-"))
    place = work / "elsewhere"  # outside the project, the home folder and the inputs' folder
    place.mkdir()
    inputs = work / "inputs"
    inputs.mkdir()
    for name in ("secret.yaml", "secret"):
        (place / name).write_text(f"root: {SECRET}\n{SECRET}: 1\nmonths: {SECRET}\n")
    os.mkfifo(place / "fifo.yaml")

    scenario_seeds = [
        f"extends: {BASELINE}\n" + p.read_text().split("\n", 1)[1]
        if p.read_text().startswith("extends:")
        else p.read_text()
        for p in sorted((ROOT / "scenarios").glob("*.yaml"))
    ]
    scenario_seeds = [
        s.replace("extends: baseline.yaml", f"extends: {BASELINE}") for s in scenario_seeds
    ]
    sweep_seed = SMOKE.read_text().replace("base: ../baseline.yaml", f"base: {BASELINE}")
    doctrine_seeds = {r: (DOCTRINES / f"{r}.yaml").read_text() for r in ("US", "PAK", "AFG", "CHN")}

    def scenario(i: int):
        path = inputs / f"scenario{i % 2}.yaml"
        path.write_bytes(
            mutate_yaml(rng, rng.choice(scenario_seeds), place).encode("utf-8", "surrogatepass")
        )
        return path, ["validate", str(path)], None

    def sweep(i: int):
        path = inputs / "spec.yaml"
        text = mutate_yaml(rng, sweep_seed, place, [f'"{e}"' for e in EXPRESSIONS])
        if rng.random() < 0.3:
            expr = rng.choice(EXPRESSIONS).replace("\\", "\\\\").replace('"', '\\"')
            text = text.replace("attacks.TTP / maximum(attacks.PAK, 1)", expr)
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        out = inputs / f"sweep-out-{i}"
        return path, ["sweep", str(path), "--out", str(out), "--quiet"], out

    def doctrine(i: int):
        role = rng.choice(sorted(doctrine_seeds))
        path = inputs / "doctrine.yaml"
        text = mutate_yaml(rng, doctrine_seeds[role], place)
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        return path, ["play", "--doctrine", f"{role}={path}", "--all-bots", "--text"], None

    def save(i: int):
        path = inputs / "g.json"
        path.write_bytes(mutate_save(rng, save_seed).encode("utf-8", "surrogatepass"))
        return path, ["play", "--load", str(path), "--text"], None

    makers = {"scenario": scenario, "sweep": sweep, "doctrine": doctrine, "save": save}
    reports = []
    t0 = time.perf_counter()
    for kind in opts.kinds.split(","):
        started = time.perf_counter()
        report = campaign(kind, makers[kind], opts.per_kind, opts.timeout, opts.show)
        report["seconds"] = round(time.perf_counter() - started, 1)
        reports.append(report)
        print(json.dumps(report), flush=True)
    print(f"\nFuzz campaign, {opts.per_kind:,} inputs per kind, seed {opts.seed}, "
          f"{time.perf_counter() - t0:.0f} s")  # fmt: skip
    header = ["kind", "malformed inputs (refused or broken)",
              "accepted (the mutation left it valid)", "exit codes", "internal errors",
              "hangs > 10 s",
              "memory blow-ups", "errors lacking file+location", "secret leaks",
              "output left by refused input", "median ms", "max s", "max CPU s"]  # fmt: skip
    for r in reports:
        print("  " + "; ".join(f"{k}: {r[k]}" for k in header))
    broken = sum(
        r["internal errors"] + r["hangs > 10 s"] + r["memory blow-ups"]
        + r["errors lacking file+location"] + r["secret leaks"] + r["output left by refused input"]
        for r in reports
    )  # fmt: skip
    return 1 if broken else 0


def _save_seed() -> dict:
    """A real save: two bot turns of a small game (the only model runs in the campaign)."""
    from sim.game.engine import Game
    from sim.game.rules import ROLES
    from sim.game.save import game_to_dict

    game = Game(BASELINE, seed=3, turns=3, replicates=4)
    for _ in range(2):
        for role in ROLES:
            game.play_bot(role)
        game.end_turn()
    position = {"mode": "ordered", "done": ["US"], "revealed_at": 0, "reveal": None}
    return game_to_dict(game, ROOT) | {"position": position}


if __name__ == "__main__":
    sys.exit(main())
