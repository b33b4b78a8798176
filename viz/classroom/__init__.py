"""``durand classroom``: the game in every student's browser, with a teacher console and a
projector view (Starlette + uvicorn, WebSockets, plain ES modules served locally)."""
