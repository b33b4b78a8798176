"""The classroom's web server: pages, static files and one WebSocket per browser.

Protocol (JSON text frames, at most MAX_MESSAGE bytes). A browser's first message says
who it is, and the server answers ``welcome`` or an error and closes:

    {"type": "join", "table": 1, "role": "US", "name": "Team A"}   take a free seat
    {"type": "hello", "as": "seat", "token": "..."}                  rejoin a seat
    {"type": "hello", "as": "teacher", "token": "..."}               the teacher console
    {"type": "hello", "as": "projector", "table": 1 | "all"}        the projector (public)

Then a seat sends moves ``{"type": "move", "id": N, "turn": T, "kind": "set", ...}`` and
the teacher ``{"type": "teacher", "id": N, "kind": "pause", "table": 1 | "all"}``. Each is
answered ``{"type": "ack", "id": N, ...}`` once it is applied and on disk, or
``{"type": "error", "id": N, "code": ..., "message": ...}`` with nothing changed. ``id``
must grow with every message of a connection (a repeated or older id is out of order).
The server pushes ``{"type": "view", "view": {...}}`` whenever what a browser may see
changes. Seat and teacher tokens never travel in URLs of pages the class can see, except
the teacher's own address, which is printed in the teacher's terminal.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from viz.classroom.room import ClassError, ClassRoom

STATIC = Path(__file__).resolve().parent / "static"
MAP_FILE = Path(__file__).resolve().parents[1] / "data" / "afpak_map.json"
MAX_MESSAGE = 16 * 1024
PUSH_EVERY = 0.25  # seconds between pushes of the teacher's and projector's class views
SEAT_BATCH = 0.03  # seconds a seat push waits for more changes at its table

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
    "script-src 'self'; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class Connections:
    """Who is listening to what; pushes each audience its own view."""

    def __init__(self, room: ClassRoom):
        self.room = room
        self.seats: dict[tuple[int, str], set[WebSocket]] = {}
        self.teachers: set[WebSocket] = set()
        self.projectors: dict[WebSocket, int | str] = {}
        self.tokens: dict[WebSocket, str] = {}  # a seat socket's token
        self.dirty: set[int] = set()
        self.class_dirty: set[int] = set()
        self.wake = asyncio.Event()
        self.class_wake = asyncio.Event()

    def changed(self, table: int) -> None:
        self.dirty.add(table)
        self.class_dirty.add(table)
        self.wake.set()
        self.class_wake.set()

    async def pusher(self) -> None:
        """Push each seat its fresh view as soon as its table changes."""
        while True:
            await self.wake.wait()
            await asyncio.sleep(SEAT_BATCH)  # a burst of moves makes one push, not many
            self.wake.clear()
            tables, self.dirty = self.dirty, set()
            for n in sorted(tables):
                t = self.room.tables[n]
                async with t.lock:
                    views = {
                        role: self.room.seat_view(n, role)
                        for (tn, role), socks in self.seats.items()
                        if tn == n and socks
                    }
                for role, view in views.items():
                    socks = self.seats.get((n, role), set())
                    await self._drop_freed(socks)
                    await self._send_all(socks, view)

    async def _drop_freed(self, socks: set[WebSocket]) -> None:
        """Close the sockets of seats the teacher freed: they see nothing more."""
        for ws in list(socks):
            if self.room.seat_of(self.tokens.get(ws)) is None:
                socks.discard(ws)
                with contextlib.suppress(Exception):
                    await ws.send_text(
                        json.dumps(_error("bad_token", "the teacher freed this seat; join again"))
                    )
                    await ws.close(code=4003)

    async def class_pusher(self) -> None:
        """Push the teacher's and projectors' class views at most every PUSH_EVERY
        seconds (a class of 32 seats makes many small changes)."""
        while True:
            await self.class_wake.wait()
            self.class_wake.clear()
            tables, self.class_dirty = self.class_dirty, set()
            await self.push_class(tables)
            await asyncio.sleep(PUSH_EVERY)

    async def push_class(self, tables: set[int]) -> None:
        if self.teachers:
            await self._send_all(set(self.teachers), self.room.teacher_view())
        wanted = {w for w in self.projectors.values() if w == "all" or w in tables}
        for which in wanted:
            view = self.room.projector_view(which)
            socks = {s for s, w in self.projectors.items() if w == which}
            await self._send_all(socks, view)

    async def _send_all(self, socks: set[WebSocket], view: dict) -> None:
        text = json.dumps({"type": "view", "view": view}, separators=(",", ":"))
        for ws in list(socks):
            try:
                await ws.send_text(text)
            except Exception:  # a closed browser; its handler forgets it
                socks.discard(ws)

    def forget(self, ws: WebSocket) -> None:
        self.tokens.pop(ws, None)
        for socks in self.seats.values():
            socks.discard(ws)
        self.teachers.discard(ws)
        self.projectors.pop(ws, None)


def _error(code: str, message: str, ident: Any = None) -> dict:
    return {"type": "error", "id": ident, "code": code, "message": message}


def parse(text: Any) -> dict:
    """A client's message as a mapping, or a ClassError saying what is wrong with it."""
    if not isinstance(text, str):
        raise ClassError("bad_message", "messages are JSON text")
    if len(text.encode()) > MAX_MESSAGE:
        raise ClassError("too_large", f"a message may be at most {MAX_MESSAGE} bytes")
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ClassError("bad_json", f"not JSON ({exc.args[0][:80]})") from None
    if not isinstance(data, dict):
        raise ClassError("bad_message", "a message is a JSON object")
    return data


class ClassSocket:
    """One browser's connection: who it is, and the order of its messages."""

    def __init__(self, ws: WebSocket, room: ClassRoom, conns: Connections):
        self.ws, self.room, self.conns = ws, room, conns
        self.last_id = -1

    async def send(self, data: dict) -> None:
        await self.ws.send_text(json.dumps(data, separators=(",", ":")))

    async def run(self) -> None:
        await self.ws.accept()
        try:
            who = await self.hello()
            if who is None:
                return
            while True:
                text = await self.receive()
                try:
                    await self.handle(who, text)
                except (WebSocketDisconnect, RuntimeError):
                    raise
                except Exception as exc:  # a bug: say so, keep serving everyone else
                    print(f"classroom: error handling a message: {type(exc).__name__}: {exc}",
                          file=sys.stderr)  # fmt: skip
                    await self.send(_error("server_error", "the server could not do that"))
        except (WebSocketDisconnect, RuntimeError):
            pass  # the browser went away (RuntimeError: it closed mid-send)
        finally:
            self.conns.forget(self.ws)

    async def receive(self) -> str | None:
        """The next frame's text (None for a binary frame); raises on disconnect."""
        message = await self.ws.receive()
        if message["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(message.get("code", 1000))
        return message.get("text")

    async def hello(self) -> dict | None:
        try:
            text = await asyncio.wait_for(self.receive(), timeout=30)
            msg = parse(text)
            who = await self.identify(msg)
        except (ClassError, TimeoutError, KeyError) as exc:
            code = exc.code if isinstance(exc, ClassError) else "no_hello"
            await self.send(_error(code, str(exc) or "say who you are first"))
            await self.ws.close(code=4003 if code in ("bad_token", "not_teacher") else 4000)
            return None
        shown = {k: v for k, v in who.items() if k != "token" or who.get("new")}
        await self.send({"type": "welcome"} | shown)
        await self.push_first(who)
        return who

    async def identify(self, msg: dict) -> dict:
        room = self.room
        kind, as_ = msg.get("type"), msg.get("as")
        if kind == "join":
            token, seat = await room.claim(msg.get("table"), msg.get("role"), msg.get("name") or "")
            self.conns.tokens[self.ws] = token
            self.conns.seats.setdefault((seat["table"], seat["role"]), set()).add(self.ws)
            return {"as": "seat", "token": token, "table": seat["table"], "role": seat["role"],
                    "new": True}  # fmt: skip
        if kind != "hello":
            raise ClassError("no_hello", "the first message is a join or a hello")
        if as_ == "seat":
            seat = room.seat_of(msg.get("token"))
            if seat is None:
                raise ClassError(
                    "bad_token",
                    "this seat token is not known (the teacher may have freed the seat); "
                    "join again",
                )
            self.conns.tokens[self.ws] = msg["token"]
            self.conns.seats.setdefault((seat["table"], seat["role"]), set()).add(self.ws)
            return {"as": "seat", "token": msg["token"], "table": seat["table"],
                    "role": seat["role"]}  # fmt: skip
        if as_ == "teacher":
            if not room.is_teacher(msg.get("token")):
                raise ClassError("not_teacher", "the teacher's token is wrong")
            self.conns.teachers.add(self.ws)
            return {"as": "teacher"}
        if as_ == "projector":
            which = msg.get("table", "all")
            if which != "all":
                which = room._table_number(which)
            self.conns.projectors[self.ws] = which
            return {"as": "projector", "table": which}
        raise ClassError("no_hello", "say 'as': seat, teacher or projector")

    async def push_first(self, who: dict) -> None:
        room = self.room
        if who["as"] == "seat":
            t = room.tables[who["table"]]
            async with t.lock:
                view = room.seat_view(who["table"], who["role"])
        elif who["as"] == "teacher":
            view = room.teacher_view()
        else:
            view = room.projector_view(who["table"])
        await self.send({"type": "view", "view": view})

    async def handle(self, who: dict, text: str) -> None:
        ident = None
        try:
            msg = parse(text)
            ident = msg.get("id")
            if isinstance(ident, bool) or not isinstance(ident, int):
                raise ClassError("bad_message", "every message carries a whole-number id")
            if ident <= self.last_id:
                raise ClassError(
                    "out_of_order",
                    f"message {ident} arrived after message {self.last_id}; nothing was changed",
                )
            self.last_id = ident
            kind = msg.get("type")
            if kind == "ping":
                await self.send({"type": "pong", "id": ident})
                return
            if who["as"] == "seat" and kind == "move":
                seat = self.room.seat_of_connection(who)
                result = await self.room.seat_command(seat, msg)
            elif who["as"] == "teacher" and kind == "teacher":
                result = await self.room.teacher_command(msg)
            elif who["as"] == "teacher" and kind == "export":
                result = await self.room.export()
            else:
                raise ClassError("not_allowed", f"a {who['as']} cannot send {kind!r} messages")
        except ClassError as exc:
            await self.send(_error(exc.code, str(exc), ident))
            return
        await self.send({"type": "ack", "id": ident} | result)


def page(name: str) -> Response:
    return FileResponse(STATIC / name, media_type="text/html", headers=SECURITY_HEADERS)


def create_app(room: ClassRoom) -> Starlette:
    conns = Connections(room)
    room.on_change = conns.changed

    async def student(request: Request) -> Response:
        return page("student.html")

    async def projector(request: Request) -> Response:
        return page("projector.html")

    async def teacher(request: Request) -> Response:
        if not room.is_teacher(request.query_params.get("token")):
            return HTMLResponse(
                "<!doctype html><html><body><h1>Teacher's token required</h1><p>Open the "
                "teacher address printed in the terminal that started the class.</p></body></html>",
                status_code=403,
                headers=SECURITY_HEADERS,
            )
        return page("teacher.html")

    async def lobby(request: Request) -> Response:
        return JSONResponse(room.lobby(), headers=SECURITY_HEADERS)

    async def catalog(request: Request) -> Response:
        from viz.classroom.catalog import catalog as build

        return JSONResponse(build(), headers={"Cache-Control": "max-age=300"})

    async def map_data(request: Request) -> Response:
        return FileResponse(MAP_FILE, media_type="application/json")

    async def debrief(request: Request) -> Response:
        """A finished table's debrief (every move is public once the game is over)."""
        n = request.path_params["table"]
        name = request.path_params.get("file") or "index.html"
        path = await room.table_debrief(n, name)
        if path is None:
            return JSONResponse(
                {"error": "no debrief yet: the debrief opens when this table's game is over"},
                status_code=404,
            )
        return FileResponse(path)

    async def export(request: Request) -> Response:
        if not room.is_teacher(request.query_params.get("token")):
            return JSONResponse({"error": "the teacher's token is required"}, status_code=403)
        name = request.path_params.get("file") or "index.html"
        path = room.export_file(name)
        if path is None:
            return JSONResponse(
                {"error": f"no exported file {name!r}; export first"}, status_code=404
            )
        return FileResponse(path)

    async def join_qr(request: Request) -> Response:
        """The students' join address as a QR code, for the projector."""
        import io

        import segno

        out = io.BytesIO()
        segno.make(room.join_url, error="m").save(out, kind="svg", scale=8, border=2)
        return Response(out.getvalue(), media_type="image/svg+xml")

    async def socket(ws: WebSocket) -> None:
        await ClassSocket(ws, room, conns).run()

    async def ticker() -> None:
        while True:
            await asyncio.sleep(0.5)
            await room.tick()  # pages count the clock down themselves

    @contextlib.asynccontextmanager
    async def lifespan(app):
        tasks = [conns.pusher(), conns.class_pusher(), ticker()]
        tasks = [asyncio.create_task(task) for task in tasks]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            room.close()

    routes = [
        Route("/", student, methods=["GET", "HEAD"]),
        Route("/teacher", teacher, methods=["GET", "HEAD"]),
        Route("/projector", projector, methods=["GET", "HEAD"]),
        Route("/api/lobby", lobby, methods=["GET"]),
        Route("/api/catalog", catalog, methods=["GET"]),
        Route("/api/map", map_data, methods=["GET"]),
        Route("/api/join.svg", join_qr, methods=["GET"]),
        Route("/debrief/{table:int}/", debrief, methods=["GET"]),
        Route("/debrief/{table:int}/{file:str}", debrief, methods=["GET"]),
        Route("/export/{file:path}", export, methods=["GET"]),
        WebSocketRoute("/ws", socket),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
