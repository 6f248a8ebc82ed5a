"""The conversation store: SQLite in WAL mode, a versioned schema with migrations, lines committed one
by one, search, delete, and a damaged or newer file handled without losing the user's data."""

from __future__ import annotations

import sqlite3

import pytest

from presence.history import store as store_mod
from presence.history.store import FILE_NAME, SCHEMA_VERSION, HistoryError, HistoryStore, data_dir


@pytest.fixture
def store(tmp_path):
    with HistoryStore(tmp_path / FILE_NAME, now=lambda: 1_800_000_000.0) as s:
        yield s


def test_a_new_file_is_wal_at_the_current_schema(store):
    assert store.schema_version == SCHEMA_VERSION == 1
    assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_lines_are_kept_in_order_with_their_details(store):
    cid = store.new_conversation()
    store.add(cid, "user", "set a timer", t_ms=1200, reply_id=1, data={"typed": True})
    store.add(cid, "assistant", "Ten seconds, starting now.", t_ms=1600, reply_id=1)
    store.add(cid, "cut", "Ten", t_ms=1800, reply_id=1, data={"cut": "seconds, starting now."})
    lines = store.lines(cid)
    assert [(ln.kind, ln.text, ln.t_ms) for ln in lines] == [
        ("user", "set a timer", 1200), ("assistant", "Ten seconds, starting now.", 1600), ("cut", "Ten", 1800)]
    assert lines[0].data == {"typed": True} and lines[2].data == {"cut": "seconds, starting now."}
    (conv,) = store.conversations()
    assert conv.id == cid and conv.lines == 3 and conv.title == "set a timer"
    with pytest.raises(ValueError):
        store.add(cid, "gossip", "not a kind")


def test_search_is_case_insensitive_treats_wildcards_literally_and_finds_what_was_cut(store):
    cid = store.new_conversation()
    store.add(cid, "user", "What is 100% of TEN?")
    store.add(cid, "assistant", "Ten.")
    store.add(cid, "cut", "Once upon", data={"cut": "a time there was a dragon"})
    assert [ln.text for ln in store.search("ten")] == ["Ten.", "What is 100% of TEN?"]
    assert [ln.text for ln in store.search("100%")] == ["What is 100% of TEN?"]
    assert store.search("0_") == [] and store.search("  ") == []
    assert [ln.kind for ln in store.search("dragon")] == ["cut"]


def test_delete_one_conversation_and_clear_all(store):
    first, second = store.new_conversation(), store.new_conversation()
    store.add(first, "user", "keep me")
    store.add(second, "user", "forget me")
    assert store.delete(second) and not store.delete(second)
    assert [c.id for c in store.conversations()] == [first] and store.search("forget") == []
    store.clear()
    assert store.conversations() == [] and store.search("keep") == []


def test_an_older_schema_is_migrated_in_place_keeping_its_lines(tmp_path, monkeypatch):
    path = tmp_path / FILE_NAME
    with HistoryStore(path) as s:
        cid = s.new_conversation()
        s.add(cid, "user", "from version 1")
    monkeypatch.setattr(store_mod, "MIGRATIONS", (*store_mod.MIGRATIONS, "ALTER TABLE lines ADD COLUMN lang TEXT;"))
    monkeypatch.setattr(store_mod, "SCHEMA_VERSION", 2)
    with HistoryStore(path) as s:
        assert s.schema_version == 2
        assert [ln.text for ln in s.lines(cid)] == ["from version 1"]
        assert "lang" in [row[1] for row in s._db.execute("PRAGMA table_info(lines)")]


def test_a_file_from_a_newer_presence_is_refused_and_left_alone(tmp_path):
    path = tmp_path / FILE_NAME
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.close()
    before = path.read_bytes()
    with pytest.raises(HistoryError, match="newer Presence"):
        HistoryStore(path)
    assert path.read_bytes() == before


def test_a_damaged_file_is_moved_aside_and_a_new_one_started(tmp_path):
    path = tmp_path / FILE_NAME
    path.write_bytes(b"this is not a database" * 100)
    with HistoryStore(path, now=lambda: 1_800_000_000.0) as s:
        assert s.moved_aside is not None and s.moved_aside.name.startswith(f"{FILE_NAME}.corrupt-")
        assert s.moved_aside.read_bytes().startswith(b"this is not a database")
        assert s.conversations() == []


def test_the_data_folder_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("PRESENCE_DATA_DIR", str(tmp_path / "d"))
    assert data_dir() == tmp_path / "d"
    monkeypatch.delenv("PRESENCE_DATA_DIR")
    monkeypatch.setenv("PRESENCE_CONFIG_DIR", str(tmp_path / "c"))
    assert data_dir() == tmp_path / "c" / "data"
    monkeypatch.delenv("PRESENCE_CONFIG_DIR")
    assert "presence" in str(data_dir())
