"""The chat-model port: spec and factory, fallback, the HTTP client's errors, GGUF file checks.

Network tests use real loopback sockets (a closed port, a server that accepts and never answers);
SSE parsing is also checked through httpx.MockTransport. The real model server is in
test_openai_server.py.
"""

from __future__ import annotations

import json
import socket
import threading
import time

import httpx
import pytest

from presence.core.ports import ChatModel
from presence.models.backends import (
    FALLBACK_NOTICE,
    BackendSpec,
    BackendUnavailable,
    BadModelFile,
    FallbackChatSession,
    check_gguf,
    open_backend,
    open_with_fallback,
    read_gguf_header,
)
from presence.models.openai_backend import OpenAIChatSession, chat_completions_url

# --- fakes -------------------------------------------------------------------------------------

class FakeChatSession:
    """A scripted backend: replies with `reply` word by word; can fail at start or after N pieces."""

    def __init__(self, reply: str = "Hello from the fake.", fail_after: int | None = None) -> None:
        self.reply, self.fail_after = reply, fail_after
        self.history: list[tuple[str, str]] = []
        self.resets = 0

    def reset(self):
        self.resets += 1
        self.history.clear()

    def add_user(self, text):
        self.history.append(("user", text))

    def add_assistant(self, text):
        self.history.append(("assistant", text))

    def stream_reply(self, max_tokens=120, should_stop=lambda: False):
        said = []
        for i, word in enumerate(self.reply.split(" ")):
            if self.fail_after is not None and i >= self.fail_after:
                raise BackendUnavailable("model server at http://x closed the connection mid-reply")
            piece = word if i == 0 else " " + word
            said.append(piece)
            yield piece
        self.history.append(("assistant", "".join(said)))

    def replace_last_reply(self, heard_text):
        if self.history and self.history[-1][0] == "assistant":
            self.history[-1] = ("assistant", heard_text)

    def checkpoint(self):
        return len(self.history)

    def rollback(self, point):
        del self.history[point:]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SilentServer:
    """A loopback TCP server that accepts connections and never sends a byte (a stalled server)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.conns: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        try:
            while True:
                conn, _ = self.sock.accept()
                self.conns.append(conn)
        except OSError:
            return

    def close(self):
        for c in self.conns:
            c.close()
        self.sock.close()


# --- spec and factory --------------------------------------------------------------------------

def test_spec_validates_and_reads_settings():
    from presence.runtime.build import backend_spec

    assert BackendSpec().kind == "embedded"
    with pytest.raises(ValueError, match="unknown model backend"):
        BackendSpec("cloud")
    with pytest.raises(ValueError, match="unknown model backend"):
        BackendSpec("server")  # the settings' name for "openai": backend_spec translates it
    with pytest.raises(ValueError, match="needs a server URL"):
        BackendSpec("openai")
    with pytest.raises(ValueError, match="needs a model file"):
        BackendSpec("gguf")
    settings = {"bg_backend": "server", "bg_server_url": "http://127.0.0.1:11434/v1", "bg_server_model": "qwen",
                "bg_server_key": "k", "bg_gguf_path": "", "fg_backend": "embedded", "fg_server_url": "",
                "fg_server_model": "", "fg_server_key": "", "fg_gguf_path": "/stale/path.gguf"}
    bg = backend_spec(settings, "bg", timeout_s=60)
    assert (bg.kind, bg.url, bg.model, bg.api_key, bg.timeout_s) == ("openai", "http://127.0.0.1:11434/v1", "qwen",
                                                                     "k", 60)
    assert "k" not in bg.describe()
    assert backend_spec(settings, "fg") == BackendSpec()
    assert BackendSpec.from_dict({"kind": "gguf", "gguf_path": "/m.gguf", "timeout_s": 5}).timeout_s == 5.0


def test_chat_completions_url_accepts_the_usual_forms():
    for url in ["http://h:8080", "http://h:8080/", "http://h:8080/v1", "http://h:8080/v1/chat/completions"]:
        assert chat_completions_url(url) == "http://h:8080/v1/chat/completions"


def test_openai_factory_does_not_touch_the_network_and_fits_the_port():
    session = open_backend(BackendSpec("openai", url=f"http://127.0.0.1:{_free_port()}/v1", model="m"))
    assert isinstance(session, OpenAIChatSession) and isinstance(session, ChatModel)
    session.add_user("hi")
    point = session.checkpoint()
    session.add_assistant("hello there")
    session.replace_last_reply("hello")
    assert session.messages[-1] == {"role": "assistant", "content": "hello"}
    session.rollback(point)
    assert [m["role"] for m in session.messages] == ["system", "user"]
    session.reset()
    assert [m["role"] for m in session.messages] == ["system"]


# --- the HTTP client's failures (real loopback sockets) ---------------------------------------

def test_refused_connection_is_one_actionable_line_and_quick():
    url = f"http://127.0.0.1:{_free_port()}/v1"
    session = OpenAIChatSession(url, timeout_s=5)
    session.add_user("hi")
    t0 = time.monotonic()
    with pytest.raises(BackendUnavailable) as info:
        list(session.stream_reply(20))
    assert time.monotonic() - t0 < 3.0
    message = str(info.value)
    assert message == (f"cannot reach model server at {url}: connection refused; "
                       f"check it is running or choose the embedded model in settings")
    with pytest.raises(BackendUnavailable, match="connection refused"):
        session.list_models()


def test_stalled_server_hits_the_first_token_timeout_and_stop_is_prompt():
    server = SilentServer()
    try:
        url = f"http://127.0.0.1:{server.port}"
        session = OpenAIChatSession(url, timeout_s=30, first_token_timeout_s=1.0)
        session.add_user("hi")
        t0 = time.monotonic()
        with pytest.raises(BackendUnavailable, match=r"sent nothing for 1 s \(waiting for the first token\)"):
            list(session.stream_reply(20))
        assert 0.9 < time.monotonic() - t0 < 3.0
        stop_at = time.monotonic() + 0.3
        t0 = time.monotonic()
        assert list(session.stream_reply(20, should_stop=lambda: time.monotonic() > stop_at)) == []
        assert time.monotonic() - t0 < 1.0  # a barge-in does not wait for the server
    finally:
        server.close()


def _sse(*chunks: dict | str) -> bytes:
    lines = [": ping\n\n"]
    for c in chunks:
        lines.append(f"data: {c if isinstance(c, str) else json.dumps(c)}\n\n")
    return "".join(lines).encode()


def _delta(**delta) -> dict:
    return {"choices": [{"index": 0, "delta": delta, "finish_reason": None}]}


def test_sse_text_and_split_tool_call_deltas_are_assembled():
    seen = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen["body"] = json.loads(request.content)
        seen["auth"] = request.headers.get("authorization")
        body = _sse(_delta(role="assistant", content=""), _delta(content="Let me "), _delta(content="check."),
                    _delta(tool_calls=[{"index": 0, "id": "c1", "type": "function",
                                        "function": {"name": "convert_units", "arguments": '{"value": 1'}}]),
                    _delta(tool_calls=[{"index": 0, "function": {"arguments": ', "from_unit": "km"}'}}]),
                    {"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]}, "[DONE]")
        return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})

    session = OpenAIChatSession("http://server.test/v1", model="m", api_key="secret",
                                transport=httpx.MockTransport(handler))
    session.add_user("convert 1 km")
    tools = [{"type": "function", "function": {"name": "convert_units", "parameters": {"type": "object"}}}]
    assert list(session.stream_reply(50, tools=tools)) == ["Let me ", "check."]
    assert seen["auth"] == "Bearer secret" and seen["body"]["stream"] is True and seen["body"]["tools"] == tools
    (call,) = session.last_tool_calls
    assert (call.id, call.name, call.args()) == ("c1", "convert_units", {"value": 1, "from_unit": "km"})
    assert session.last_finish_reason == "tool_calls"
    assert session.messages[-1]["tool_calls"][0]["function"]["name"] == "convert_units"
    session.add_tool_result(call, "1 kilometre is about 0.62 miles.")
    assert session.messages[-1]["role"] == "tool" and session.messages[-1]["tool_call_id"] == "c1"


@pytest.mark.parametrize("status,body,expected", [
    (401, {"error": {"message": "bad key"}}, "refused the API key (401: bad key); check the key in settings"),
    (404, {"error": "model 'nope' not found"}, "has no chat endpoint or model 'nope' (404: model 'nope' not found)"),
    (500, {"error": {"message": "out of memory"}}, "answered 500: out of memory; check it is running"),
])
def test_http_errors_say_what_to_fix(status, body, expected):
    transport = httpx.MockTransport(lambda request: httpx.Response(status, json=body))
    session = OpenAIChatSession("http://server.test/v1", model="nope", transport=transport)
    session.add_user("hi")
    with pytest.raises(BackendUnavailable) as info:
        list(session.stream_reply(10))
    assert expected in str(info.value) and "\n" not in str(info.value)


def test_error_event_inside_the_stream_is_unavailable():
    transport = httpx.MockTransport(lambda r: httpx.Response(200, content=_sse(_delta(content="Hi"),
                                                                               {"error": "server overloaded"})))
    session = OpenAIChatSession("http://server.test", transport=transport)
    session.add_user("hi")
    pieces = []
    with pytest.raises(BackendUnavailable, match="reported an error: server overloaded"):
        for piece in session.stream_reply(10):
            pieces.append(piece)
    assert pieces == ["Hi"]


# --- fallback ----------------------------------------------------------------------------------

class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def test_fallback_when_the_primary_is_down_from_the_start():
    reasons = []
    fallback = FakeChatSession("I am the built-in model.")
    clock = Clock()
    session = FallbackChatSession(FakeChatSession(fail_after=0), lambda: fallback, reasons.append, clock=clock)
    session.add_user("Hello?")
    text = "".join(session.stream_reply(50))
    assert text == FALLBACK_NOTICE + " I am the built-in model."
    assert len(reasons) == 1 and "closed the connection" in str(reasons[0])
    assert fallback.history == [("user", "Hello?"), ("assistant", "I am the built-in model.")]
    assert session.primary.history[-1] == ("assistant", FALLBACK_NOTICE + " I am the built-in model.")
    # within the retry window the fallback answers at once, without a second notice
    session.add_user("And now?")
    assert "".join(session.stream_reply(50)) == "I am the built-in model."
    assert len(reasons) == 1 and session.using_fallback
    # after it, the primary is tried again (and here it works)
    clock.t = 61.0
    session.primary.fail_after = None
    session.add_user("Back?")
    assert "".join(session.stream_reply(50)) == "Hello from the fake."
    assert fallback.history[-1] == ("assistant", "Hello from the fake.")


def test_fallback_mid_reply_keeps_what_was_said_and_bridges_the_sentence():
    fallback = FakeChatSession("Here is the rest.")
    session = FallbackChatSession(FakeChatSession("Once upon a time there was", fail_after=3), fallback)
    session.add_user("Tell me a story")
    pieces = list(session.stream_reply(50))
    assert "".join(pieces[:3]) == "Once upon a"
    assert pieces[3] == "... " + FALLBACK_NOTICE + " "
    heard = "Once upon a... " + FALLBACK_NOTICE + " Here is the rest."
    assert "".join(pieces) == heard
    assert session.primary.history[-1] == ("assistant", heard)  # the record is what the user heard
    assert fallback.history[-1] == ("assistant", "Here is the rest.")


def test_fallback_checkpoint_and_rollback_cover_both_sessions():
    fallback = FakeChatSession("fb")
    session = FallbackChatSession(FakeChatSession("ok"), fallback)
    session.add_user("one")
    point = session.checkpoint()
    session.add_user("two")
    assert "".join(session.stream_reply(5)) == "ok"
    session.rollback(point)
    assert session.primary.history == [("user", "one")]
    session.primary.fail_after = 0
    session.add_user("three")
    assert "".join(session.stream_reply(5)).endswith("fb")
    assert fallback.history[:2] == [("user", "one"), ("user", "three")]  # synced from the log on first use


# --- GGUF files --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def shipped_gguf():
    from presence.models.paths import ModelMissing, find

    try:
        return find("llm")
    except ModelMissing as exc:
        pytest.skip(str(exc))


def test_gguf_header_of_the_shipped_model(shipped_gguf):
    t0 = time.monotonic()
    info = check_gguf(shipped_gguf)
    assert time.monotonic() - t0 < 2.0
    assert info.architecture == "llama" and info.n_tensors > 0
    assert info.expected_bytes <= shipped_gguf.stat().st_size


def test_truncated_gguf_is_reported_as_incomplete(shipped_gguf, tmp_path):
    data = shipped_gguf.read_bytes()
    half = tmp_path / "half.gguf"
    half.write_bytes(data[: len(data) // 2])
    with pytest.raises(BadModelFile, match=r"is incomplete \([\d,]+ of [\d,]+ bytes; an interrupted download\?\)"):
        open_backend(BackendSpec("gguf", gguf_path=str(half)))
    head = tmp_path / "head.gguf"
    head.write_bytes(data[:4096])  # cut inside the header
    with pytest.raises(BadModelFile, match="is damaged or incomplete"):
        read_gguf_header(head)


def test_non_gguf_and_missing_files_are_reported(tmp_path):
    text = tmp_path / "notes.gguf"
    text.write_text("these are my notes, not a model\n")
    with pytest.raises(BadModelFile, match=r"is not a GGUF model file \(it starts with b'thes'\); choose a \.gguf"):
        open_backend(BackendSpec("gguf", gguf_path=str(text)))
    with pytest.raises(BadModelFile, match="model file not found"):
        open_backend(BackendSpec("gguf", gguf_path=str(tmp_path / "missing.gguf")))


@pytest.mark.slow
def test_user_gguf_loads_and_a_bad_one_falls_back_to_embedded(shipped_gguf, tmp_path):
    session = open_backend(BackendSpec("gguf", gguf_path=str(shipped_gguf)), threads=1)
    session.add_user("What is the capital of France?")
    assert "Paris" in "".join(session.stream_reply(20))
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGUF" + b"\0" * 100)
    reasons = []
    fallback = open_with_fallback(BackendSpec("gguf", gguf_path=str(bad)), reasons.append, threads=1)
    assert type(fallback).__name__ == "LlamaChatSession" and fallback.path == shipped_gguf
    assert len(reasons) == 1 and isinstance(reasons[0], BadModelFile)
