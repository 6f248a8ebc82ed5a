"""The OpenAI-compatible backend against a real server running a real model on loopback.

llama-cpp-python's server (the `server` extra) serves the shipped SmolLM2 GGUF on 127.0.0.1 with
the chatml-function-calling format (so tool calls work). Killing or freezing the server mid-reply
must give the spoken fallback to the embedded model, bounded by timeouts, never a hang.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from presence.models.backends import FALLBACK_NOTICE, BackendUnavailable, FallbackChatSession
from presence.models.openai_backend import OpenAIChatSession

pytestmark = pytest.mark.slow

START_TIMEOUT_S = 90.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ModelServer:
    """`python -m llama_cpp.server` on a free loopback port, with its log in a file."""

    def __init__(self, model: Path, log: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self.log = log
        with log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
                 "--port", str(self.port), "--chat_format", "chatml-function-calling", "--n_ctx", "2048",
                 "--n_threads", "1", "--verbose", "False"],
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited ({self.proc.returncode}): {self.tail()}")
            try:
                if httpx.get(f"{self.url}/models", timeout=1.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"llama_cpp.server did not start in {START_TIMEOUT_S:g} s: {self.tail()}")
            time.sleep(0.2)
        # the first completion after start is slow (page cache, graph allocation): do it here
        httpx.post(f"{self.url}/chat/completions", timeout=60.0,
                   json={"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 2})

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-800:] if self.log.exists() else ""

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGCONT)  # in case a test froze it
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture(scope="module")
def shipped_gguf() -> Path:
    from presence.models.paths import ModelMissing, find

    try:
        return find("llm")
    except ModelMissing as exc:
        pytest.skip(str(exc))


def _server(model: Path, tmp: Path):
    try:
        import llama_cpp.server.app  # noqa: F401
    except ImportError as exc:
        pytest.skip(f"llama-cpp-python's server extra is not installed ({exc}); pip install -e '.[server]'")
    server = ModelServer(model, tmp / "server.log")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def server(shipped_gguf, tmp_path_factory):
    yield from _server(shipped_gguf, tmp_path_factory.mktemp("server"))


@pytest.fixture
def own_server(shipped_gguf, tmp_path):
    """A server this test may kill or freeze."""
    yield from _server(shipped_gguf, tmp_path)


def test_streams_a_reply_and_keeps_the_conversation(server):
    session = OpenAIChatSession(server.url, timeout_s=30)
    assert len(session.list_models()) == 1
    session.add_user("What is the capital of France?")
    t0 = time.monotonic()
    pieces, first_s = [], None
    for piece in session.stream_reply(40):
        first_s = first_s if first_s is not None else time.monotonic() - t0
        pieces.append(piece)
    text = "".join(pieces)
    assert len(pieces) > 2 and "Paris" in text
    assert first_s < 10.0
    assert session.messages[-1] == {"role": "assistant", "content": text.strip()}
    session.add_user("Say that again in one word.")
    assert "".join(session.stream_reply(10)).strip()
    assert [m["role"] for m in session.messages] == ["system", "user", "assistant", "user", "assistant"]


def test_stop_mid_reply_keeps_the_partial_reply(server):
    session = OpenAIChatSession(server.url, timeout_s=30)
    session.add_user("Tell me a long story about a dragon.")
    pieces = []
    for piece in session.stream_reply(200, should_stop=lambda: len(pieces) >= 5):
        pieces.append(piece)
    assert len(pieces) == 5
    assert session.messages[-1]["content"] == "".join(pieces).strip()
    session.replace_last_reply("Once upon a time")
    assert session.messages[-1]["content"] == "Once upon a time"


def test_tool_call_from_the_real_server(server):
    from presence.core.tools import openai_tools, run_tool

    session = OpenAIChatSession(server.url, timeout_s=30)
    session.add_user("Convert 10 kilometres to miles.")
    tools = openai_tools(("convert_units",))
    text = "".join(session.stream_reply(60, tools=tools,
                                        tool_choice={"type": "function", "function": {"name": "convert_units"}}))
    if not session.last_tool_calls:
        pytest.skip(f"this server build returned no tool call (text: {text[:80]!r})")
    (call,) = session.last_tool_calls
    args = call.args()
    assert call.name == "convert_units" and isinstance(args, dict) and {"value", "from_unit", "to_unit"} <= set(args)
    result = run_tool(call.name, args, __import__("datetime").datetime.now())
    assert isinstance(result, str) and result  # the tiny model may pick odd units: then an "error: ..." result
    session.add_tool_result(call, result)
    assert session.messages[-2]["tool_calls"][0]["function"]["name"] == "convert_units"


def test_killing_the_server_mid_reply_gives_the_spoken_fallback(own_server):
    from presence.models.llm import LlamaChatSession

    reasons: list[BackendUnavailable] = []
    session = FallbackChatSession(OpenAIChatSession(own_server.url, timeout_s=10),
                                  lambda: LlamaChatSession(threads=1), reasons.append)
    session.add_user("Tell me a long story about a dragon.")
    t0 = time.monotonic()
    pieces = []
    for piece in session.stream_reply(60):
        pieces.append(piece)
        if len(pieces) == 1:
            own_server.kill()
        assert time.monotonic() - t0 < 60.0
    text = "".join(pieces)
    elapsed = time.monotonic() - t0
    assert FALLBACK_NOTICE in text, text
    before, after = text.split(FALLBACK_NOTICE, 1)
    assert before.strip() and after.strip()  # what the server said, the notice, then the embedded model
    assert len(reasons) == 1 and own_server.url in str(reasons[0])
    assert elapsed < 45.0  # bounded: ~2 s to the kill, then the embedded model loads and answers
    # the next turn goes straight to the embedded model
    session.add_user("What is the capital of France?")
    t0 = time.monotonic()
    assert "".join(session.stream_reply(20)).strip() and time.monotonic() - t0 < 15.0
    assert len(reasons) == 1


def test_a_frozen_server_hits_the_first_token_timeout_and_falls_back(own_server):
    from presence.models.llm import LlamaChatSession

    reasons: list[BackendUnavailable] = []
    primary = OpenAIChatSession(own_server.url, timeout_s=30, first_token_timeout_s=2.0)
    session = FallbackChatSession(primary, lambda: LlamaChatSession(threads=1), reasons.append)
    os.kill(own_server.proc.pid, signal.SIGSTOP)  # alive, accepting connections, answering nothing
    try:
        session.add_user("What is the capital of France?")
        t0 = time.monotonic()
        text = "".join(session.stream_reply(20))
        elapsed = time.monotonic() - t0
    finally:
        os.kill(own_server.proc.pid, signal.SIGCONT)
    assert text.startswith(FALLBACK_NOTICE) and len(text) > len(FALLBACK_NOTICE) + 2
    assert "sent nothing for 2 s" in str(reasons[0])
    assert 1.9 < elapsed < 30.0
