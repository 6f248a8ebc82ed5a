"""Conversation history: a SQLite store in the platform data folder (store.py), the event sink that
fills it from one writer thread (recorder.py), and what its lines become: window rows, exports, the
model's recall (views.py), and forgetting everything (forget.py). Imports only core; no Qt.

On by default ("Keep conversation history" in Settings, key `keep_history`); `presence history`
searches, exports and forgets it.
"""

from presence.history.recorder import HistoryRecorder, line_for
from presence.history.store import Conversation, HistoryError, HistoryStore, Line, data_dir, default_path

__all__ = ["Conversation", "HistoryError", "HistoryRecorder", "HistoryStore", "Line", "data_dir", "default_path",
           "line_for"]
