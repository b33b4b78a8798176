"""A real `durand classroom` server for tests: a subprocess on 127.0.0.1 and a free port,
and a small synchronous WebSocket client that speaks its protocol."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from websockets.sync.client import connect

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`durand classroom` in a subprocess (start, stop with SIGINT, kill -9, restart)."""

    def __init__(self, state: Path, *args: str, tables: int = 2):
        self.state, self.port = state, free_port()
        self.args = [sys.executable, "-m", "sim.cli", "classroom", "--lesson", "middle-ground",
                     "--tables", str(tables), "--host", "127.0.0.1", "--port", str(self.port),
                     "--state-dir", str(state), "--no-qr", *args]  # fmt: skip
        self.proc = None
        self.output = ""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        log = open(self.state.parent / f"server-{self.port}.log", "ab")  # noqa: SIM115
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(
            self.args, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env
        )
        self.logfile = Path(log.name)
        for _ in range(240):
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.logfile.read_text()}")
            try:
                if self.get("/")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.25)
        else:
            raise RuntimeError("server did not answer")
        self.output = self.logfile.read_text()
        return self

    @property
    def teacher_url(self) -> str:
        return re.search(r"http://\S*teacher\S*", self.logfile.read_text()).group(0)

    @property
    def teacher_token(self) -> str:
        return self.teacher_url.split("token=", 1)[1]

    def get(self, path: str, method: str = "GET", body: bytes | None = None) -> tuple[int, str]:
        req = urllib.request.Request(self.base + path, data=body, method=method,
                                     headers={"Content-Type": "application/json"})  # fmt: skip
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def interrupt(self) -> int:
        self.proc.send_signal(signal.SIGINT)
        return self.proc.wait(timeout=15)

    def kill9(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


class Client:
    """One browser's WebSocket: hello/join, requests answered by ack or error, views."""

    def __init__(self, server: Server, hello: dict):
        self.ws = connect(
            f"ws://127.0.0.1:{server.port}/ws", max_size=None, open_timeout=10
        ).__enter__()
        self.last = 0
        self.view: dict | None = None
        self.ws.send(json.dumps(hello))
        self.welcome = self._next(("welcome", "error"))
        if self.welcome["type"] == "welcome":
            self._next(("view",))

    def _next(self, types, timeout: float = 30.0) -> dict:
        end = time.time() + timeout
        while True:
            msg = json.loads(self.ws.recv(timeout=max(end - time.time(), 0.01)))
            if msg["type"] == "view":
                self.view = msg["view"]
            if msg["type"] in types:
                return msg

    def request(self, msg: dict, ident: int | None = None) -> dict:
        ident = self.last + 1 if ident is None else ident
        self.last = max(self.last, ident)
        self.ws.send(json.dumps({**msg, "id": ident}))
        return self._next(("ack", "error", "pong"))

    def raw(self, text: str) -> dict:
        self.ws.send(text)
        return self._next(("ack", "error"))

    def move(self, kind: str, **fields) -> dict:
        return self.request({"type": "move", "kind": kind, **fields})

    def teacher(self, kind: str, **fields) -> dict:
        return self.request({"type": "teacher", "kind": kind, **fields})

    def fresh_view(self, timeout: float = 2.0) -> dict:
        """The newest view pushed so far (waits briefly for pushes in flight)."""
        end = time.time() + timeout
        while time.time() < end:
            try:
                msg = json.loads(self.ws.recv(timeout=0.3))
            except TimeoutError:
                break
            if msg["type"] == "view":
                self.view = msg["view"]
        return self.view

    def wait_view(self, test, timeout: float = 60.0) -> dict:
        end = time.time() + timeout
        if self.view is not None and test(self.view):
            return self.view
        while time.time() < end:
            msg = json.loads(self.ws.recv(timeout=max(end - time.time(), 0.01)))
            if msg["type"] == "view":
                self.view = msg["view"]
                if test(self.view):
                    return self.view
        raise TimeoutError("no such view")

    def close(self) -> None:
        self.ws.close()
