"""Conversation history on disk: SQLite (stdlib sqlite3) in the platform data folder.

    store = HistoryStore()                      # $PRESENCE_DATA_DIR, else ~/.local/share/presence
    cid = store.new_conversation()
    store.add(cid, "user", "set a timer for ten seconds", t_ms=2400)
    store.search("timer")                       # lines, newest first

One file, `history.sqlite3`, in WAL mode with synchronous=NORMAL: each line is its own committed
transaction the moment it is added, and a committed transaction survives the process being killed
(SIGKILL mid-reply loses at most the line being written). The schema is versioned (PRAGMA
user_version) and brought up to date by MIGRATIONS, one script per version, each applied in its own
transaction; a file from a newer Presence is refused (HistoryError), never rewritten, and a file
that is not a database is moved aside (history.sqlite3.corrupt-<time>) and a new one started.

A HistoryStore holds one connection: use it from one thread (the recorder's writer thread writes;
the window, the command line and the model's recall read through their own).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FILE_NAME = "history.sqlite3"
ENV_DIR = "PRESENCE_DATA_DIR"  # overrides the platform folder (tests, portable installs)
CONFIG_ENV_DIR = "PRESENCE_CONFIG_DIR"  # as the settings do: its "data" subfolder, when set
KINDS = ("user", "assistant", "cut", "tool", "result", "panel")

# One script per schema version: MIGRATIONS[n] takes a file at version n to n + 1.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE conversations (
        id INTEGER PRIMARY KEY,
        started REAL NOT NULL,           -- unix time of its first line
        updated REAL NOT NULL            -- unix time of its latest line
    );
    CREATE TABLE lines (
        id INTEGER PRIMARY KEY,
        conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        at REAL NOT NULL,                -- unix time it was recorded
        t_ms INTEGER NOT NULL,           -- the session's logical time (tick x 200 ms)
        kind TEXT NOT NULL,              -- user | assistant | cut | tool | result | panel
        reply_id INTEGER,
        text TEXT NOT NULL,              -- what was said (heard, for a cut reply), or a tool's name
        data TEXT                        -- JSON: typed input, the cut text, a tool's fields, a panel's spec
    );
    CREATE INDEX lines_by_conversation ON lines (conversation_id, id);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class HistoryError(RuntimeError):
    """The history file cannot be used (written by a newer Presence, or unreadable); one line says why."""


def data_dir() -> Path:
    """$PRESENCE_DATA_DIR, else $PRESENCE_CONFIG_DIR/data (as the settings), else the platform's data folder."""
    override = os.environ.get(ENV_DIR)
    if override:
        return Path(override).expanduser()
    config = os.environ.get(CONFIG_ENV_DIR)
    if config:
        return Path(config).expanduser() / "data"
    from platformdirs import user_data_dir

    return Path(user_data_dir("presence", appauthor=False))


def default_path() -> Path:
    return data_dir() / FILE_NAME


@dataclass(frozen=True)
class Line:
    id: int
    conversation_id: int
    at: float
    t_ms: int
    kind: str
    text: str
    reply_id: int | None = None
    data: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"at": self.at, "t_ms": self.t_ms, "kind": self.kind, "text": self.text}
        if self.reply_id is not None:
            out["reply_id"] = self.reply_id
        if self.data:
            out["data"] = self.data
        return out


@dataclass(frozen=True)
class Conversation:
    id: int
    started: float
    updated: float
    lines: int
    title: str  # its first words of the user's (or of ours), for lists


class HistoryStore:
    def __init__(self, path: Path | str | None = None, now: Callable[[], float] = time.time) -> None:
        self.path = Path(path) if path is not None else default_path()
        self._now = now
        self.moved_aside: Path | None = None  # a damaged file found at open, kept under this name
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = self._open()
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                raise HistoryError(f"{self.path} is busy ({exc})") from None
            self.moved_aside = self._move_aside()
            try:
                self._db = self._open()
            except sqlite3.DatabaseError as again:
                raise HistoryError(f"{self.path} cannot be used: {again}") from None

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10.0, isolation_level=None, check_same_thread=False)
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:  # checked before anything is written, the WAL switch included
                raise HistoryError(f"the history was written by a newer Presence (schema {version}; this one "
                                   f"reads up to {SCHEMA_VERSION}); it is left as it is and nothing is recorded")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # with WAL: a commit survives a killed process
            db.execute("PRAGMA foreign_keys=ON")
            self._migrate(db)
        except BaseException:
            db.close()
            raise
        return db

    @staticmethod
    def _migrate(db: sqlite3.Connection) -> None:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        for target in range(version + 1, SCHEMA_VERSION + 1):
            db.executescript(f"BEGIN;\n{MIGRATIONS[target - 1]}\nPRAGMA user_version = {target};\nCOMMIT;")

    def _move_aside(self) -> Path | None:
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(self._now()))
        target = self.path.with_name(f"{FILE_NAME}.corrupt-{stamp}")
        try:
            os.replace(self.path, target)
        except OSError:
            return None
        for suffix in ("-wal", "-shm"):
            with contextlib.suppress(OSError):
                os.unlink(f"{self.path}{suffix}")
        return target

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- writing (the recorder's thread) ------------------------------------------------------
    def new_conversation(self, started: float | None = None) -> int:
        at = self._now() if started is None else started
        cur = self._db.execute("INSERT INTO conversations (started, updated) VALUES (?, ?)", (at, at))
        return int(cur.lastrowid or 0)

    def add(self, conversation_id: int, kind: str, text: str, t_ms: int = 0, reply_id: int | None = None,
            data: dict[str, Any] | None = None, at: float | None = None) -> int:
        """One line, committed before this returns."""
        if kind not in KINDS:
            raise ValueError(f"unknown history line kind {kind!r}")
        at = self._now() if at is None else at
        payload = json.dumps(data, ensure_ascii=False) if data else None
        with self._transaction():
            cur = self._db.execute(
                "INSERT INTO lines (conversation_id, at, t_ms, kind, reply_id, text, data) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)", (conversation_id, at, int(t_ms), kind, reply_id, text, payload))
            self._db.execute("UPDATE conversations SET updated = ? WHERE id = ?", (at, conversation_id))
        return int(cur.lastrowid or 0)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # --- reading ------------------------------------------------------------------------------
    def conversations(self, limit: int | None = None) -> list[Conversation]:
        """Newest first; conversations without a line are left out."""
        rows = self._db.execute(
            "SELECT c.id, c.started, c.updated, COUNT(l.id), "
            "  (SELECT text FROM lines WHERE conversation_id = c.id AND kind IN ('user', 'assistant') "
            "   ORDER BY kind = 'assistant', id LIMIT 1) "
            "FROM conversations c JOIN lines l ON l.conversation_id = c.id "
            "GROUP BY c.id ORDER BY c.updated DESC, c.id DESC LIMIT ?", (-1 if limit is None else limit,))
        return [Conversation(int(i), float(s), float(u), int(n), str(t or "")) for i, s, u, n, t in rows]

    def lines(self, conversation_id: int) -> list[Line]:
        rows = self._db.execute(
            "SELECT id, conversation_id, at, t_ms, kind, text, reply_id, data FROM lines "
            "WHERE conversation_id = ? ORDER BY id", (conversation_id,))
        return [_line(r) for r in rows]

    def search(self, query: str, limit: int = 100) -> list[Line]:
        """Lines whose text (or, for a cut reply, what was not said) holds `query`, any case; newest first."""
        words = query.strip()
        if not words:
            return []
        pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self._db.execute(
            "SELECT id, conversation_id, at, t_ms, kind, text, reply_id, data FROM lines "
            "WHERE text LIKE ? ESCAPE '\\' OR (kind = 'cut' AND data LIKE ? ESCAPE '\\') "
            "ORDER BY id DESC LIMIT ?", (pattern, pattern, limit))
        return [_line(r) for r in rows]

    # --- forgetting -----------------------------------------------------------------------------
    def delete(self, conversation_id: int) -> bool:
        """Forget one conversation; False when there is none by that id."""
        with self._transaction():
            self._db.execute("DELETE FROM lines WHERE conversation_id = ?", (conversation_id,))
            cur = self._db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the deleted text leaves the WAL file too
        return cur.rowcount > 0

    def clear(self) -> None:
        """Forget every conversation (the file stays, empty)."""
        with self._transaction():
            self._db.execute("DELETE FROM lines")
            self._db.execute("DELETE FROM conversations")
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._db.execute("VACUUM")


def _line(row: tuple[Any, ...]) -> Line:
    lid, cid, at, t_ms, kind, text, reply_id, data = row
    try:
        parsed = json.loads(data) if data else None
    except ValueError:
        parsed = None
    return Line(int(lid), int(cid), float(at), int(t_ms), str(kind), str(text),
                None if reply_id is None else int(reply_id), parsed if isinstance(parsed, dict) else None)
