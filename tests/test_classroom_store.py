"""The class's files: a torn last line (a crash mid-write) is dropped, any other bad line
is an error naming the file and line, and a folder holding another class is refused."""

from __future__ import annotations

import pytest

from sim.inputs.errors import UsageError
from viz.classroom.store import ClassConfig, ClassStore


def config(**kw) -> ClassConfig:
    base = dict(lesson="middle-ground", scenario="/x.yaml", tables=2, turns=8, seed=1,
                replicates=50)  # fmt: skip
    return ClassConfig(**(base | kw))


def test_log_survives_a_torn_last_line(tmp_path):
    store = ClassStore(tmp_path / "c")
    store.open(config())
    for i in range(3):
        store.append(1, {"seat": "US", "kind": "set", "value": i})
    store.close()
    path = store.log_path(1)
    with open(path, "ab") as f:
        f.write(b'{"seat": "US", "ki')  # the server died here; never acknowledged
    assert [r["value"] for r in ClassStore(tmp_path / "c").read_log(1)] == [0, 1, 2]
    assert path.read_bytes().endswith(b"}\n")  # the torn part is gone from the file
    assert ClassStore(tmp_path / "c").read_log(2) == []


def test_bad_line_names_file_and_line(tmp_path):
    store = ClassStore(tmp_path / "c")
    store.open(config())
    store.log_path(1).write_text('{"kind": "done", "seat": "US"}\nnot json\n{"a": 1}\n')
    with pytest.raises(UsageError, match=r"table-1\.log:2: not a JSON command"):
        store.read_log(1)
    store.log_path(1).write_text("[1, 2]\n")
    with pytest.raises(UsageError, match=r"table-1\.log:1: a command must be a JSON object"):
        store.read_log(1)


def test_same_class_resumes_another_is_refused(tmp_path):
    first, resumed = ClassStore(tmp_path / "c").open(config())
    assert not resumed
    again, resumed = ClassStore(tmp_path / "c").open(config())
    assert resumed and again.teacher_token == first.teacher_token
    with pytest.raises(UsageError, match="holds another class.*tables: stored 2, asked 3"):
        ClassStore(tmp_path / "c").open(config(tables=3))
    (tmp_path / "c" / "class.json").write_text("{broken")
    with pytest.raises(UsageError, match="class.json: not valid JSON"):
        ClassStore(tmp_path / "c").open(config())
    (tmp_path / "f").write_text("")
    with pytest.raises(UsageError, match="not a folder"):
        ClassStore(tmp_path / "f").open(config())
