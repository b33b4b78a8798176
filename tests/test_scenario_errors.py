"""Malformed scenario files: every one is refused with a ScenarioError that names the file,
the line, the key path and what was expected.

Each case is a small scenario written to ``tmp_path``; most extend ``scenarios/baseline.yaml``
(by absolute path) and add exactly one bad thing. Cases the current loader gets wrong are kept
at full strength and marked ``xfail(strict=True)`` with the defect in the reason.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from sim.inputs.errors import Problem, ScenarioError
from sim.inputs.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "scenarios" / "baseline.yaml"
MAIN = "scenario.yaml"  # the file every case loads, inside tmp_path
SENTINEL = "pwned"  # a file the refused python tags would create if they ran


@dataclass
class Case:
    id: str
    text: str | bytes | None  # content of MAIN (None: MAIN is not written at all)
    line: int | None  # expected line of the problem
    key: str  # expected key path ('' for whole-file problems)
    fragment: str | tuple[str, ...]  # what was expected (any one of a tuple will do)
    file: str = MAIN  # which file the problem should name (relative to tmp_path)
    others: dict[str, str | bytes] = field(default_factory=dict)  # more files in tmp_path
    xfail: str | None = None


def _text(s: str) -> str:
    """Dedent a triple-quoted case; line 1 is the first line after the opening quotes."""
    return textwrap.dedent(s).lstrip("\n")


X = "extends: @BASE@\n"  # line 1 of most cases

CASES: list[Case] = [
    # ------------------------------------------------------------------ top level
    Case("unknown-top-level-key", X + "titel: A typo\n", 2, "titel", "did you mean 'title'"),
    Case("months-is-text", X + "months: sixty\n", 2, "months", "whole number"),
    Case("months-is-float", X + "# horizon\nmonths: 12.5\n", 3, "months", "whole number"),
    Case("months-is-bool", X + "months: true\n", 2, "months", "whole number"),
    Case("months-is-null", X + "months:\n", 2, "months", "whole number"),
    Case("seed-is-float", X + "seed: 1.5\n", 2, "seed", "whole number"),
    Case("title-is-list", X + "title:\n  - one\n  - two\n", 2, "title", "expected text"),
    Case("title-is-number", X + "title: 5\n", 2, "title", "expected text"),
    Case("months-negative", X + "months: -3\n", 2, "months", "at least 1"),
    Case("months-zero", X + "title: Zero\nmonths: 0\n", 3, "months", "at least 1"),
    Case("months-over-max", X + "months: 601\n", 2, "months", "at most 600"),
    Case("replicates-zero", X + "replicates: 0\n", 2, "replicates", "at least 1"),
    Case("seed-negative", X + "seed: -1\n", 2, "seed", "at least 0"),
    Case("seed-too-big", X + f"seed: {2**64}\n", 2, "seed", "at most"),
    Case("start-month-13", X + "start: 2025-13\n", 2, "start", "like 2025-03"),
    Case("start-soon", X + "start: soon\n", 2, "start", "like 2025-03"),
    Case("start-bare-year", X + "start: 2025\n", 2, "start", "like 2025-03"),
    Case(
        "start-impossible-calendar-date",
        X + "start: 2025-02-30\n",
        2,
        "start",
        ("like 2025-03", "out of range", "not a valid date", "not a real date"),
    ),
    Case(
        "description-is-mapping",
        X + "description:\n  text: hello\n",
        2,
        "description",
        "expected text",
    ),
    Case(
        "sources-item-not-text",
        X + "sources:\n  - ok.txt\n  - 42\n",
        4,
        "sources[1]",
        "expected text",
    ),
    Case("events-not-a-list", X + "events:\n  at: 2025-06\n", 2, "events", "expected a list"),
    Case("parameters-is-null", X + "parameters: null\n", 2, "parameters", "mapping"),
    # ------------------------------------------------------------------ levers
    Case(
        "lever-bool-for-number",
        X + "levers:\n  US:\n    do_more: true\n",
        4,
        "levers.US.do_more",
        "expected a number",
    ),
    Case(
        "lever-quoted-number",
        X + "levers:\n  US:\n    do_more: '0.5'\n",
        4,
        "levers.US.do_more",
        "expected a number",
    ),
    Case(
        "lever-probability-1.5",
        X + "levers:\n  US:\n    joint_ops: 0.5\n    do_more: 1.5\n",
        5,
        "levers.US.do_more",
        "at most 1",
    ),
    Case(
        "lever-negative-aid",
        X + "levers:\n  US:\n    military_aid_pak: -50\n",
        4,
        "levers.US.military_aid_pak",
        "at least 0",
    ),
    Case(
        "levers-unknown-state",
        X + "levers:\n  USA:\n    do_more: 0.5\n",
        3,
        "levers.USA",
        "did you mean 'US'",
    ),
    Case(
        "lever-unknown-name",
        X + "levers:\n  US:\n    military_aid: 100\n",
        4,
        "levers.US.military_aid",
        "did you mean 'military_aid_pak'",
    ),
    Case("levers-state-is-scalar", X + "levers:\n  US: 5\n", 3, "levers.US", "expected a mapping"),
    Case(
        "lever-nan",
        X + "levers:\n  PAK:\n    ct_effort: .nan\n",
        4,
        "levers.PAK.ct_effort",
        "finite",
    ),
    Case(
        "lever-null",
        X + "levers:\n  PAK:\n    ct_effort:\n",
        4,
        "levers.PAK.ct_effort",
        "expected a number",
    ),
    # ------------------------------------------------------------------ parameters
    Case(
        "parameter-unknown-section",
        X + "parameters:\n  grups:\n    tempo: {TTP: 70}\n",
        3,
        "parameters.grups",
        "did you mean 'groups'",
    ),
    Case(
        "parameter-unknown-key",
        X + "parameters:\n  groups:\n    tempoo: {TTP: 70}\n",
        4,
        "parameters.groups.tempoo",
        "did you mean 'tempo'",
    ),
    Case(
        "parameter-unknown-table-id",
        X + "parameters:\n  groups:\n    tempo:\n      TTP: 70\n      XYZ: 5\n",
        6,
        "parameters.groups.tempo.XYZ",
        "expected one of",
    ),
    Case(
        "parameter-out-of-range",
        X + "parameters:\n  groups:\n    tempo:\n      TTP: 5000\n",
        5,
        "parameters.groups.tempo.TTP",
        "at most 1000",
    ),
    Case(
        "parameter-table-replaced-by-scalar",
        X + "parameters:\n  groups:\n    tempo: 70\n",
        4,
        "parameters.groups.tempo",
        "expected a table keyed by",
    ),
    Case(
        "parameter-inf",
        X + "parameters:\n  reference:\n    attacks_pak_2023: .inf\n",
        4,
        "parameters.reference.attacks_pak_2023",
        "finite",
    ),
    Case(
        "parameter-section-levers",
        X + "parameters:\n  levers:\n    US: {do_more: 0.5}\n",
        3,
        "parameters.levers",
        "top-level 'levers:' section",
    ),
    Case(
        "shares-do-not-sum-to-1",
        X + "parameters:\n  states:\n    priorities:\n      US: {TTP: 0.5, ISKP: 0.7, BLA: 0.1}\n",
        5,
        "parameters.states.priorities.US",
        "must sum to 1",
    ),
    Case(
        "spending-over-budget-at-start",
        X + "levers:\n  US:\n    military_aid_pak: 400\n    civil_aid_pak: 1200\n",
        3,
        "levers.US",
        "over its budget",
    ),
    # ------------------------------------------------------------------ events
    Case(
        "event-before-start",
        X + "events:\n  - at: 2024-12\n    set: {US.do_more: 0.5}\n",
        3,
        "events[0].at",
        "before the scenario's start",
    ),
    Case(
        "event-bad-date",
        X + "events:\n  - at: someday\n    set: {US.do_more: 0.5}\n",
        3,
        "events[0].at",
        "like 2025-03",
    ),
    Case(
        "event-impossible-calendar-date",
        X + "events:\n  - note: month 13\n    at: 2025-13-01\n    set: {US.do_more: 0.5}\n",
        4,
        "events[0].at",
        ("like 2025-03", "out of range", "not a valid date", "not a real date"),
    ),
    Case(
        "event-neither-set-nor-shock",
        X + "events:\n  - at: 2025-03\n    set: {US.do_more: 0.5}\n  - at: 2025-06\n    note: x\n",
        5,
        "events[1]",
        "needs 'set' or 'shock'",
    ),
    Case(
        "event-unknown-key",
        X + "events:\n  - at: 2025-06\n    sett: {US.do_more: 0.5}\n",
        4,
        "events[0].sett",
        "did you mean 'set'",
    ),
    Case(
        "event-unknown-lever",
        X + "events:\n  - at: 2025-06\n    set:\n      US.do_more: 0.5\n      US.military_aid: 0\n",
        6,
        "events[0].set.US.military_aid",
        "did you mean 'US.military_aid_pak'",
    ),
    Case(
        "event-lever-out-of-range",
        X + "events:\n  - at: 2025-06\n    set:\n      PAK.border_closure: 1.5\n",
        5,
        "events[0].set.PAK.border_closure",
        "at most 1",
    ),
    Case(
        "event-lever-not-a-number",
        X + "events:\n  - at: 2025-06\n    set:\n      US.do_more: high\n",
        5,
        "events[0].set.US.do_more",
        "expected a number",
    ),
    Case(
        "event-lever-quoted-number",
        X + "events:\n  - at: 2025-06\n    set:\n      US.do_more: '0.5'\n",
        5,
        "events[0].set.US.do_more",
        "expected a number",
    ),
    Case(
        "spending-over-budget-after-event",
        X + "events:\n  - at: 2026-01\n    set:\n      US.civil_aid_pak: 1450\n",
        4,
        "events[0].set",
        "over its budget",
    ),
    # ------------------------------------------------------------------ shocks
    Case(
        "shock-unknown-type",
        X + "events:\n  - at: 2025-06\n    shock:\n      type: earthquake\n",
        4,
        "events[0].shock",
        "unknown shock type",
    ),
    Case(
        "shock-without-type",
        X + "events:\n  - at: 2025-06\n    shock:\n      group: TTP\n",
        4,
        "events[0].shock",
        "needs a 'type'",
    ),
    Case(
        "shock-missing-field",
        X + "events:\n  - at: 2025-06\n    shock:\n      type: strength_loss\n      group: TTP\n",
        4,
        "events[0].shock.fraction",
        "missing required key 'fraction'",
    ),
    Case(
        "shock-fraction-1.5",
        X
        + "events:\n  - at: 2025-06\n    shock:\n      type: strength_loss\n      group: TTP\n"
        + "      fraction: 1.5\n",
        7,
        "events[0].shock.fraction",
        "at most 1",
    ),
    Case(
        "shock-unknown-group",
        X
        + "events:\n  - at: 2025-06\n    shock:\n      type: attack_wave\n      group: TTPX\n"
        + "      multiplier: 2\n      months: 3\n",
        6,
        "events[0].shock.group",
        "expected one of",
    ),
    Case(
        "shock-months-float",
        X + "events:\n  - at: 2025-06\n    shock: {type: attack_wave, group: BLA, multiplier: 2,"
        " months: 2.5}\n",
        4,
        "events[0].shock.months",
        "whole number",
    ),
    Case(
        "shock-unknown-field",
        X + "events:\n  - at: 2025-06\n    shock: {type: tension_shock, change: 0.1, group: TTP}\n",
        4,
        "events[0].shock.group",
        "unknown key 'group'",
    ),
    Case(
        "shock-nan",
        X + "events:\n  - at: 2025-06\n    shock:\n      type: tension_shock\n      change: .nan\n",
        6,
        "events[0].shock.change",
        "finite",
    ),
    Case(
        "shock-trust-toward-itself",
        X
        + "events:\n  - at: 2025-06\n    shock:\n      type: trust_shock\n      source: US\n"
        + "      target: US\n      change: 0.2\n",
        7,
        "events[0].shock.target",
        ("another state", "must differ", "same state", "itself"),
    ),
    # ------------------------------------------------------------------ YAML level
    Case(
        "yaml-syntax-error",
        X + "title: A scenario\nmonths: 60: 70\nseed: 1\n",
        3,
        "",
        "invalid YAML",
    ),
    Case(
        "yaml-tab-indentation",
        X + "levers:\n  US:\n\tdo_more: 0.5\n",
        4,
        "",
        "invalid YAML",
    ),
    Case(
        "yaml-unclosed-quote",
        X + "title: 'Unclosed\nmonths: 12\nseed: 3\n",
        2,
        "",
        "quoted scalar",
    ),
    Case(
        "yaml-unclosed-bracket",
        X + "title: Brackets\nsources: [a.txt, b.txt\nmonths: 12\n",
        3,
        "",
        "flow sequence",
    ),
    Case("yaml-two-documents", X + "---\ntitle: Second\n", 2, "", "another document"),
    Case("duplicate-key", X + "months: 24\nseed: 7\nmonths: 36\n", 4, "months", "duplicate key"),
    Case(
        "duplicate-nested-key",
        X + "levers:\n  US:\n    do_more: 0.1\n    do_more: 0.2\n",
        5,
        "levers.US.do_more",
        "duplicate key",
    ),
    Case(
        "python-tag-on-value",
        X + f'title: !!python/object/apply:os.system ["touch @TMP@/{SENTINEL}"]\n',
        2,
        "title",
        "not allowed",
    ),
    Case(
        "python-tag-top-level",
        f'!!python/object/apply:os.system ["touch @TMP@/{SENTINEL}"]\n',
        1,
        "",
        "not allowed",
    ),
    Case(
        "python-tag-in-event",
        X + "events:\n  - at: 2025-06\n    set: !!python/object/new:builtins.open\n"
        f"      args: ['@TMP@/{SENTINEL}', 'w']\n",
        4,
        "events[0].set",
        "not allowed",
    ),
    Case("key-not-a-name", X + "null: 3\n", 2, "", "not a name"),
    Case(
        "recursive-alias",
        X + "sources: &a [*a]\n",
        2,
        "sources[0]",
        ("alias", "anchor", "recursive"),
    ),
    Case("empty-file", "", 1, "", "empty"),
    Case("comments-only-file", "# nothing here yet\n", 1, "", "empty"),
    Case("top-level-list", "- title: x\n- months: 3\n", 1, "", "expected a mapping"),
    Case("top-level-scalar", "just some words\n", 1, "", "expected a mapping"),
    Case(
        "non-utf8-bytes",
        X.encode() + b"title: Fine\ndescription: caf\xe9 au lait\n",
        3,
        "",
        "utf-8",
    ),
    Case("file-not-found", None, None, "", "file not found"),
    # ------------------------------------------------------------------ extends
    Case(
        "extends-missing-file",
        "title: Child\nextends: no_such_parent.yaml\n",
        2,
        "extends",
        "no scenario file",
    ),
    Case("extends-not-text", "extends: [a.yaml, b.yaml]\n", 1, "extends", "expected the path"),
    Case("extends-itself", f"extends: {MAIN}\ntitle: Loop\n", 1, "extends", "extends itself"),
    Case(
        "extends-cycle",
        "extends: b.yaml\ntitle: A\n",
        2,
        "extends",
        "cycle",
        file="b.yaml",
        others={"b.yaml": "title: B\nextends: scenario.yaml\n"},
    ),
    Case(
        "error-in-parent",
        "extends: parent.yaml\ntitle: Child\n",
        3,
        "months",
        "at least 1",
        file="parent.yaml",
        others={"parent.yaml": X + "title: Parent\nmonths: 0\n"},
    ),
    Case(
        "unknown-lever-in-parent",
        "extends: parent.yaml\ntitle: Child\nmonths: 12\n",
        4,
        "levers.US.do_mor",
        "did you mean 'do_more'",
        file="parent.yaml",
        others={"parent.yaml": X + "levers:\n  US:\n    do_mor: 0.5\n"},
    ),
    Case(
        "yaml-error-in-parent",
        "extends: parent.yaml\ntitle: Child\n",
        3,
        "",
        "invalid YAML",
        file="parent.yaml",
        others={"parent.yaml": X + "title: Parent\nmonths: 12: 13\n"},
    ),
    Case(
        "bad-event-in-child-after-parent-events",
        "extends: parent.yaml\nevents:\n  - at: 2024-01\n    set: {US.do_more: 0.3}\n",
        3,
        "events[1].at",  # the index in the merged events list (parent's events come first)
        "before the scenario's start",
        others={
            "parent.yaml": X + "events:\n  - at: 2025-06\n    set: {US.do_more: 0.4}\n",
        },
    ),
    Case(
        "child-budget-override-breaks-parent-levers",
        X + "parameters:\n  states:\n    budget:\n      US: 50\n",
        30,  # baseline.yaml's "US:" under levers (military_aid_pak 100 > 50)
        "levers.US",
        "over its budget",
        file=str(BASE),
    ),
]


def _ids() -> list[str]:
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids)), "case ids must be distinct"
    return ids


def _fill(content: str | bytes, tmp_path: Path) -> bytes:
    raw = content.encode("utf-8") if isinstance(content, str) else content
    return raw.replace(b"@BASE@", str(BASE).encode()).replace(b"@TMP@", str(tmp_path).encode())


def _matches(p: Problem, case: Case, tmp_path: Path) -> bool:
    want_file = Path(case.file) if Path(case.file).is_absolute() else tmp_path / case.file
    fragments = case.fragment if isinstance(case.fragment, tuple) else (case.fragment,)
    return (
        Path(p.file).resolve() == want_file.resolve()
        and p.line == case.line
        and p.key_path == case.key
        and any(f.lower() in p.message.lower() for f in fragments)
    )


def _params():
    out = []
    for case in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
        out.append(pytest.param(case, id=case.id, marks=marks))
    return out


def test_there_are_enough_distinct_cases():
    assert len(set(_ids())) >= 30


@pytest.mark.parametrize("case", _params())
def test_malformed_scenario_is_refused_precisely(case: Case, tmp_path: Path):
    for name, content in case.others.items():
        (tmp_path / name).write_bytes(_fill(content, tmp_path))
    main = tmp_path / MAIN
    if case.text is not None:
        main.write_bytes(_fill(case.text, tmp_path))

    with pytest.raises(ScenarioError) as info:
        load_scenario(main)

    err = info.value
    problems = err.problems
    assert problems, "a ScenarioError must list at least one problem"
    assert all(isinstance(p, Problem) and p.message for p in problems)
    assert "Traceback" not in str(err)
    shown = "\n".join(str(p) for p in problems)
    assert any(_matches(p, case, tmp_path) for p in problems), (
        f"expected a problem in {case.file} line {case.line} at {case.key!r} "
        f"mentioning {case.fragment!r}; got:\n{shown}"
    )
    # Refused tags must not have run (they would have created the sentinel file).
    assert not (tmp_path / SENTINEL).exists()


def test_python_tag_payload_is_real(tmp_path: Path):
    """Control: the payload used above does run under PyYAML's unsafe loader."""
    text = f'!!python/object/apply:os.system ["touch {tmp_path}/{SENTINEL}"]\n'
    yaml.load(text, Loader=yaml.UnsafeLoader)  # noqa: S506 - deliberately unsafe, as a control
    assert (tmp_path / SENTINEL).exists()


def test_alias_bomb_is_refused_quickly(tmp_path: Path):
    lines = [f"extends: {BASE}", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    path = tmp_path / MAIN
    path.write_text("\n".join(lines) + "\n")
    script = (
        "import sys\n"
        "from sim.inputs.errors import ScenarioError\n"
        "from sim.inputs.scenario import load_scenario\n"
        "try:\n"
        "    load_scenario(sys.argv[1])\n"
        "except ScenarioError as e:\n"
        "    print(e)\n"
        "    sys.exit(0)\n"
        "sys.exit(1)\n"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", script, str(path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("loading a 11-line alias bomb did not finish within 10 s")
    assert done.returncode == 0, done.stderr
    assert f"{path}:2" in done.stdout


def test_every_problem_is_reported_not_just_the_first(tmp_path: Path):
    path = tmp_path / MAIN
    path.write_text(
        f"extends: {BASE}\nmonths: 0\nreplicates: 0\n"
        "levers:\n  US:\n    do_more: 2\n  PAK:\n    ct_effort: -1\n"
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    where = {(p.line, p.key_path) for p in info.value.problems}
    assert {(2, "months"), (3, "replicates")} <= where


def test_every_lever_problem_is_reported(tmp_path: Path):
    path = tmp_path / MAIN
    path.write_text(
        f"extends: {BASE}\n"
        "levers:\n  US:\n    do_more: 2\n  PAK:\n    ct_effort: -1\n"
        "parameters:\n  groups:\n    tempo: {XYZ: 1}\n"
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    where = {(p.line, p.key_path) for p in info.value.problems}
    assert {
        (4, "levers.US.do_more"),
        (6, "levers.PAK.ct_effort"),
        (9, "parameters.groups.tempo.XYZ"),
    } <= where


# ---------------------------------------------------------------------- valid input


def test_baseline_loads():
    sc = load_scenario(BASE)
    assert isinstance(sc, Scenario)
    assert sc.start == (2025, 1)
    assert sc.months == 60
    assert sc.replicates == 200
    assert sc.levers["US"]["military_aid_pak"] == 100
    assert sc.events == []


def test_child_overrides_a_lever_and_adds_events(tmp_path: Path):
    parent = tmp_path / "parent.yaml"
    parent.write_text(
        f"extends: {BASE}\ntitle: Parent\n"
        "events:\n  - at: 2025-06\n    set: {PAK.border_closure: 0.6}\n    note: parent event\n"
    )
    sub = tmp_path / "sub"
    sub.mkdir()
    child = sub / "child.yaml"
    child.write_text(
        "extends: ../parent.yaml\n"
        "title: Child\n"
        "levers:\n  US:\n    do_more: 0.7\n"
        "events:\n"
        "  - at: 2025-03\n    set: {US.military_aid_pak: 0}\n    note: child event\n"
        "  - at: 2026-01\n    shock: {type: strength_loss, group: TTP, fraction: 0.1}\n"
    )
    sc = load_scenario(child)
    base = load_scenario(BASE)
    assert sc.title == "Child"
    assert sc.levers["US"]["do_more"] == 0.7
    # everything not overridden is inherited
    assert {k: v for k, v in sc.levers["US"].items() if k != "do_more"} == {
        k: v for k, v in base.levers["US"].items() if k != "do_more"
    }
    assert sc.levers["PAK"] == base.levers["PAK"]
    assert sc.months == base.months and sc.seed == base.seed
    # parent's events then child's, placed on the month axis and sorted by month
    assert [(e.month, e.note, e.index) for e in sc.events] == [
        (2, "child event", 1),
        (5, "parent event", 0),
        (12, "", 2),
    ]
    assert sc.events[0].set == {"US.military_aid_pak": 0}
    assert sc.events[2].shock.fraction == 0.1


def test_at_as_yaml_date(tmp_path: Path):
    path = tmp_path / MAIN
    path.write_text(
        f"extends: {BASE}\nevents:\n  - at: 2025-06-01\n    set: {{US.joint_ops: 0.9}}\n"
        "  - at: '2025-07'\n    shock: {type: tension_shock, change: -0.1}\n"
    )
    sc = load_scenario(path)
    assert [e.month for e in sc.events] == [5, 6]
    assert sc.events[0].set == {"US.joint_ops": 0.9}


def test_start_as_yaml_date(tmp_path: Path):
    path = tmp_path / MAIN
    path.write_text(f"extends: {BASE}\nstart: 2026-03-15\nmonths: 12\n")
    sc = load_scenario(path)
    assert sc.start == (2026, 3)
    assert sc.months == 12


def test_spending_exactly_at_budget_is_allowed(tmp_path: Path):
    path = tmp_path / MAIN
    path.write_text(f"extends: {BASE}\nlevers:\n  US:\n    civil_aid_pak: 1100\n")
    assert load_scenario(path).levers["US"]["civil_aid_pak"] == 1100
