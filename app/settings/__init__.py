"""User settings: one declared schema (schema.py), versioned JSON on disk (store.py). No Qt here."""

from presence.settings.schema import BY_KEY, SCHEMA, Setting, Settings
from presence.settings.store import Loaded, SettingsStore, config_dir

__all__ = ["BY_KEY", "SCHEMA", "Loaded", "Setting", "Settings", "SettingsStore", "config_dir"]
