"""Chat over any OpenAI-compatible /v1/chat/completions server, streamed (SSE), with tool calls.

Covers Ollama (http://127.0.0.1:11434/v1), llama.cpp's and llama-cpp-python's servers, vLLM and
LM Studio. The conversation is a message list kept here (client side), so checkpoint/rollback and
replace_last_reply are list operations and a server restart loses nothing.

Images (a vision model, `accepts_images=True`): add_user(text, images=(data_url, ...)) sends the
user turn as OpenAI content parts (text, then image_url parts). An image is sent with the one
request that answers that turn; afterwards the message keeps only its text (plus a note that an
image was shown), so later requests do not resend megabytes. Without accepts_images, images
given to add_user are dropped: nothing but text leaves.

Never hangs: the HTTP stream is read by a helper thread into a queue, and the caller waits on the
queue with deadlines (first token, then between tokens). A refused connection, a server that dies
mid-reply or one that stalls raises BackendUnavailable with one actionable line.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from presence.core.policy import SAFETY_POLICY
from presence.models.backends import BackendUnavailable

# A server model follows a longer prompt than the embedded one: what is spoken, and the safety policy.
SYSTEM_PROMPT = ("You are Presence, a helpful voice assistant. Your words are spoken aloud: answer in English in one "
                 "or two short plain sentences, the answer first, with no markdown, lists, emoji or quotes; offer "
                 "more only when there is more worth saying. If you are not sure of a fact or a number, say so "
                 f"rather than guess. {SAFETY_POLICY}")
_ADVICE = "check it is running or choose the embedded model in settings"


@dataclass(frozen=True)
class ToolCall:
    """A tool call the model asked for. `arguments` is untrusted JSON text: parse, never execute."""

    id: str
    name: str
    arguments: str

    def args(self) -> dict[str, Any] | None:
        try:
            value = json.loads(self.arguments or "{}")
        except json.JSONDecodeError:
            return None
        return value if isinstance(value, dict) else None


@dataclass
class _CallParts:
    id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)


def chat_completions_url(url: str) -> str:
    """'http://h:8080', 'http://h:8080/v1' or the full endpoint -> the full endpoint."""
    base = url.strip().rstrip("/")
    if base.endswith("/chat/completions"):
        return base
    if base.endswith("/v1"):
        return base + "/chat/completions"
    return base + "/v1/chat/completions"


def _one_line(text: object, limit: int = 160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


class OpenAIChatSession:
    """LlamaChatSession's interface over an OpenAI-compatible server (a presence.core.ports.ChatModel)."""

    supports_tools = True

    def __init__(self, url: str, model: str = "", api_key: str | None = None, timeout_s: float = 20.0,
                 connect_timeout_s: float = 3.0, first_token_timeout_s: float | None = None,
                 system_prompt: str = SYSTEM_PROMPT, temperature: float = 0.0,
                 transport: httpx.BaseTransport | None = None, accepts_images: bool = False) -> None:
        self.url = url
        self.accepts_images = accepts_images
        self.endpoint = chat_completions_url(url)
        self.model = model
        self.temperature = temperature
        self.first_token_timeout_s = first_token_timeout_s or timeout_s
        self.stall_timeout_s = timeout_s
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        # httpx's own timeouts end the reader thread; the deadlines in stream_reply bound the caller
        self._client = httpx.Client(headers=headers, transport=transport,
                                    timeout=httpx.Timeout(timeout_s, connect=connect_timeout_s))
        self._system = system_prompt
        self.messages: list[dict[str, Any]] = []
        self.last_tool_calls: list[ToolCall] = []
        self.last_finish_reason: str | None = None
        self.reset()

    def close(self) -> None:
        self._client.close()

    # --- the conversation (client side) ---------------------------------------------------
    def reset(self) -> None:
        self.messages = [{"role": "system", "content": self._system}]
        self.last_tool_calls = []

    def add_user(self, text: str, images: tuple[str, ...] | list[str] = ()) -> None:
        """A user turn; `images` are data URLs (data:image/jpeg;base64,...) sent when the model takes images."""
        if images and self.accepts_images:
            parts: list[dict[str, Any]] = [{"type": "text", "text": text}]
            parts += [{"type": "image_url", "image_url": {"url": url}} for url in images]
            self.messages.append({"role": "user", "content": parts})
        else:
            self.messages.append({"role": "user", "content": text})

    def add_assistant(self, text: str) -> None:
        self.messages.append({"role": "assistant", "content": text})

    def add_tool_result(self, call: ToolCall, content: str) -> None:
        self.messages.append({"role": "tool", "tool_call_id": call.id, "name": call.name, "content": content})

    def checkpoint(self) -> int:
        return len(self.messages)

    def rollback(self, point: int) -> None:
        del self.messages[max(1, point):]

    def replace_last_reply(self, heard_text: str) -> None:
        kept = heard_text.strip() or "..."
        for msg in reversed(self.messages):
            if msg["role"] == "assistant":
                msg["content"] = kept
                msg.pop("tool_calls", None)
                return
            if msg["role"] == "user":
                break
        self.messages.append({"role": "assistant", "content": kept})

    def _forget_images(self) -> None:
        """After the request that carried them: image parts become a short text note."""
        for msg in self.messages:
            content = msg.get("content")
            if isinstance(content, list):
                text = " ".join(p.get("text", "") for p in content if p.get("type") == "text")
                n = sum(1 for p in content if p.get("type") == "image_url")
                msg["content"] = f"{text}\n[{n} screenshot{'s' if n != 1 else ''} shown]" if n else text

    # --- the server -----------------------------------------------------------------------
    def _unavailable(self, what: str) -> BackendUnavailable:
        return BackendUnavailable(f"{what}; {_ADVICE}")

    def _explain(self, exc: Exception) -> BackendUnavailable:
        where = f"model server at {self.url}"
        if isinstance(exc, BackendUnavailable):
            return exc
        if isinstance(exc, httpx.ConnectTimeout):
            return self._unavailable(f"cannot reach {where}: no answer to connect")
        if isinstance(exc, httpx.ConnectError):
            detail = str(exc) or type(exc).__name__
            reason = "connection refused" if "refused" in detail.lower() else _one_line(detail)
            return self._unavailable(f"cannot reach {where}: {reason}")
        if isinstance(exc, httpx.ReadTimeout | httpx.WriteTimeout | httpx.PoolTimeout):
            return self._unavailable(f"{where} is not answering (timed out)")
        if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
            return self._unavailable(f"{where} closed the connection mid-reply")
        if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
            return BackendUnavailable(f"the model server URL {self.url!r} is not valid ({_one_line(exc)}); "
                                      f"use e.g. http://127.0.0.1:11434/v1 in settings")
        return self._unavailable(f"{where} failed: {type(exc).__name__}: {_one_line(exc)}")

    def _http_error(self, status: int, body: bytes) -> BackendUnavailable:
        try:
            detail = json.loads(body)
            detail = detail.get("error", detail) if isinstance(detail, dict) else detail
            detail = detail.get("message", detail) if isinstance(detail, dict) else detail
        except (json.JSONDecodeError, UnicodeDecodeError):
            detail = body.decode("utf-8", "replace")
        detail = _one_line(detail, 120)
        where = f"model server at {self.url}"
        if status in (401, 403):
            return BackendUnavailable(f"{where} refused the API key ({status}: {detail}); check the key in settings")
        if status == 404:
            return BackendUnavailable(f"{where} has no chat endpoint or model {self.model!r} (404: {detail}); "
                                      f"check the URL and model name in settings")
        return self._unavailable(f"{where} answered {status}: {detail}")

    def list_models(self) -> list[str]:
        """GET /v1/models: a quick reachability check for settings and `presence doctor`."""
        url = self.endpoint.removesuffix("/chat/completions") + "/models"
        try:
            r = self._client.get(url)
        except httpx.HTTPError as exc:
            raise self._explain(exc) from exc
        if r.status_code >= 400:
            raise self._http_error(r.status_code, r.content)
        try:
            return [str(m.get("id")) for m in r.json().get("data", [])]
        except (ValueError, AttributeError) as exc:
            raise self._unavailable(f"model server at {self.url} sent an unexpected model list") from exc

    def _read(self, body: dict[str, Any], out: queue.Queue, stop: threading.Event) -> None:
        """Reader thread: SSE lines -> ('text', str) | ('tool', dict) | ('done', reason) | ('error', exc)."""
        try:
            with self._client.stream("POST", self.endpoint, json=body) as r:
                if r.status_code >= 400:
                    out.put(("error", self._http_error(r.status_code, r.read())))
                    return
                for line in r.iter_lines():
                    if stop.is_set():
                        return
                    if not line.startswith("data:"):
                        continue  # SSE comments (keep-alive pings), event names, blank separators
                    data = line[5:].strip()
                    if data == "[DONE]":
                        break
                    try:
                        chunk = json.loads(data)
                    except json.JSONDecodeError:
                        out.put(("error", self._unavailable(f"model server at {self.url} sent malformed data")))
                        return
                    if isinstance(chunk, dict) and chunk.get("error"):
                        out.put(("error", self._unavailable(
                            f"model server at {self.url} reported an error: {_one_line(chunk['error'], 120)}")))
                        return
                    for choice in (chunk.get("choices") or [])[:1]:
                        delta = choice.get("delta") or {}
                        if delta.get("content"):
                            out.put(("text", delta["content"]))
                        for call in delta.get("tool_calls") or []:
                            out.put(("tool", call))
                        if choice.get("finish_reason"):
                            out.put(("finish", choice["finish_reason"]))
            out.put(("done", None))
        except Exception as exc:  # the caller turns it into BackendUnavailable
            out.put(("error", self._explain(exc)))

    def stream_reply(self, max_tokens: int = 120, should_stop: Callable[[], bool] = lambda: False,
                     tools: list[dict[str, Any]] | None = None,
                     tool_choice: str | dict[str, Any] | None = None) -> Iterator[str]:
        """Stream the reply to the conversation; text pieces as they come.

        Tool calls the model makes are in self.last_tool_calls afterwards (and in the message list;
        answer each with add_tool_result, then call stream_reply again).
        """
        body: dict[str, Any] = {"messages": [dict(m) for m in self.messages], "stream": True,
                                "max_tokens": max_tokens, "temperature": self.temperature}
        if self.model:
            body["model"] = self.model
        if tools:
            body["tools"] = tools
            if tool_choice is not None:
                body["tool_choice"] = tool_choice
        self.last_tool_calls, self.last_finish_reason = [], None
        items: queue.Queue = queue.Queue()
        stop = threading.Event()
        threading.Thread(target=self._read, args=(body, items, stop), name="openai-stream", daemon=True).start()
        text: list[str] = []
        calls: dict[int, _CallParts] = {}
        deadline = time.monotonic() + self.first_token_timeout_s
        waited_for = "the first token"
        finished = False
        try:
            while not should_stop():
                left = deadline - time.monotonic()
                if left <= 0:
                    limit = self.first_token_timeout_s if not text and not calls else self.stall_timeout_s
                    raise self._unavailable(f"model server at {self.url} sent nothing for {limit:g} s "
                                            f"(waiting for {waited_for})")
                try:
                    kind, value = items.get(timeout=min(left, 0.1))  # short waits keep should_stop prompt
                except queue.Empty:
                    continue
                if kind == "error":
                    raise value
                if kind == "done":
                    finished = True
                    break
                if kind == "finish":
                    self.last_finish_reason = value
                    continue
                deadline = time.monotonic() + self.stall_timeout_s
                waited_for = "the next token"
                if kind == "text":
                    text.append(value)
                    yield value
                elif kind == "tool":
                    parts = calls.setdefault(int(value.get("index", len(calls))), _CallParts())
                    parts.id = value.get("id") or parts.id
                    fn = value.get("function") or {}
                    parts.name = fn.get("name") or parts.name
                    if fn.get("arguments"):
                        parts.arguments.append(fn["arguments"])
        finally:
            stop.set()
            self._forget_images()
        self.last_tool_calls = [ToolCall(p.id or f"call_{i}", p.name, "".join(p.arguments))
                                for i, p in sorted(calls.items()) if p.name]
        message: dict[str, Any] = {"role": "assistant", "content": "".join(text).strip()}
        if self.last_tool_calls:
            message["tool_calls"] = [{"id": c.id, "type": "function",
                                      "function": {"name": c.name, "arguments": c.arguments}}
                                     for c in self.last_tool_calls]
        if finished or text or self.last_tool_calls:
            self.messages.append(message)
