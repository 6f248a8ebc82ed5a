"""Every user setting, declared once: key, type, default, label, help, choices, limits.

The settings dialog is generated from this table, the store validates files against it and the
runner reads values by key, so a setting cannot exist in one place and be missing in another.
Pure Python (no Qt), so the store and tests run anywhere.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["bool", "int", "float", "choice", "str", "secret", "path", "list", "hotkey", "device"]
BACKENDS = (("embedded", "Built-in (small, runs on this computer)"), ("server", "A model server (OpenAI-compatible)"),
            ("gguf", "A model file on this computer (.gguf)"))
# The settings dialog's tabs, in order (at most five, so none hides behind scroll arrows).
GROUPS = ("Sound and voice", "Conversation", "Screen", "Models", "General")


@dataclass(frozen=True)
class Setting:
    key: str
    kind: Kind
    default: Any
    label: str
    help: str
    group: str
    choices: tuple[tuple[str, str], ...] = ()  # (stored value, what the user reads)
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    enabled_when: tuple[str, tuple[Any, ...]] | None = None  # only meaningful when key has one of these values
    hidden: bool = False  # bookkeeping, not shown in the dialog
    section: str = ""  # a heading above this setting in its tab (settings after it belong to it)

    def coerce(self, value: Any) -> Any:
        """The value in this setting's type, or ValueError saying what is wrong (for file and dialog)."""
        kind = self.kind
        if kind == "bool":
            if isinstance(value, bool):
                return value
            raise ValueError(f"{value!r} is not true or false")
        if kind in ("int", "float"):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{value!r} is not a number")
            number = int(value) if kind == "int" else float(value)
            if kind == "int" and number != value:
                raise ValueError(f"{value!r} is not a whole number")
            if (self.minimum is not None and number < self.minimum) or (
                    self.maximum is not None and number > self.maximum):
                raise ValueError(f"{value!r} is outside {self.minimum:g}…{self.maximum:g}")
            return number
        if kind == "list":
            if not isinstance(value, list | tuple) or not all(isinstance(x, str) for x in value):
                raise ValueError(f"{value!r} is not a list of text")
            return tuple(x.strip() for x in value if x.strip())
        if not isinstance(value, str):
            raise ValueError(f"{value!r} is not text")
        if kind == "choice" and value not in {v for v, _ in self.choices}:
            raise ValueError(f"{value!r} is not one of {', '.join(v for v, _ in self.choices)}")
        if kind == "hotkey":
            return normalize_hotkey(value)
        return value if kind == "secret" else value.strip()


def _llm(role: str, who: str, does: str) -> list[Setting]:
    g, when = "Models", (f"{role}_backend", ("server",))
    return [
        Setting(f"{role}_backend", "choice", "embedded", f"{who} model",
                f"What {does}: the built-in model, a model server, or a model file on this computer.", g, BACKENDS,
                section=f"{who} model"),
        Setting(f"{role}_server_url", "str", "http://127.0.0.1:8080/v1", f"{who}: server address",
                "The address of an OpenAI-compatible server (llama.cpp server, Ollama, vLLM, …).", g,
                enabled_when=when),
        Setting(f"{role}_server_model", "str", "", f"{who}: model name", "The name the server knows the model by.",
                g, enabled_when=when),
        Setting(f"{role}_server_key", "secret", "", f"{who}: API key",
                "Sent as a bearer token, only to this server; kept in the system keyring (without one, in a "
                "file readable only by you), never in the settings file, logs or diagnostics.", g,
                enabled_when=when),
        Setting(f"{role}_server_images", "bool", False, f"{who}: the model can see pictures",
                "Tick for a vision model: Look at screen then also sends it a small screenshot (windows you "
                "excluded are blanked), besides the text read from the screen.", g, enabled_when=when),
        Setting(f"{role}_gguf_path", "path", "", f"{who}: model file", "A model file (.gguf) on this computer, run "
                "with llama.cpp.", g, enabled_when=(f"{role}_backend", ("gguf",))),
    ]


SCHEMA: tuple[Setting, ...] = (
    Setting("input_device", "device", "", "Microphone",
            "Which microphone Presence listens to. System default follows your desktop's sound settings.",
            "Sound and voice"),
    Setting("output_device", "device", "", "Speaker",
            "Where Presence's voice plays. System default follows your desktop's sound settings.", "Sound and voice"),
    *_llm("fg", "Conversation", "answers you while you talk"),
    *_llm("bg", "Background tasks", "works on longer tasks in the background (plans, summaries)"),
    Setting("asr_model", "choice", "tiny.en", "Speech recognition",
            "Which Whisper model writes down what you say (applies at the next start). tiny.en answers "
            "soonest; base makes about a fifth fewer word errors on varied voices but needs about 1.7 times "
            "the CPU, so on a two-core laptop each transcript is ready about 0.1 s later (its 145 MB model "
            "is put together in your cache folder the first time).", "Models",
            (("tiny.en", "Whisper tiny.en (fastest)"), ("base", "Whisper base (more accurate)")),
            section="Listening"),
    Setting("voice_speed", "float", 1.0, "Speaking speed",
            "How fast Presence talks: 1.0 is normal, 1.2 a fifth faster. Press Preview to hear it.",
            "Sound and voice", minimum=0.5, maximum=2.0, step=0.1),
    Setting("backchannels", "bool", True, "Say \"mm-hm\" while I talk",
            "Short sounds like 'mm-hm' and 'right' in your pauses, so you know Presence is following.",
            "Conversation"),
    Setting("backchannel_rate", "choice", "normal", "How often to say \"mm-hm\"",
            "Rarely, now and then, or often.",
            "Conversation", (("rare", "Rare"), ("normal", "Normal"), ("often", "Often")),
            enabled_when=("backchannels", (True,))),
    Setting("task_delivery", "choice", "when_idle", "Results of longer tasks",
            "When the answer to a long task (a plan, a summary) is spoken once it is ready.", "Conversation",
            (("when_idle", "When we are both quiet"), ("interrupt", "As soon as you stop talking"),
             ("silent", "Never: show it only"))),
    Setting("barge_in_sensitivity", "int", 50, "How easily you can interrupt",
            "When you talk while Presence speaks: higher stops it sooner, lower ignores more background noise "
            "(0 to 100).", "Conversation", minimum=0, maximum=100, step=5),
    Setting("keep_history", "bool", True, "Keep conversation history",
            "What was said (as heard, with what an interruption cut), tool calls and results are kept on this "
            "computer: shown again and briefly remembered at the next start, searchable and exportable with "
            "`presence history`, which also deletes them. Off: nothing more is recorded.", "Conversation"),
    Setting("screen_capture_enabled", "bool", False, "Capture the screen",
            "Let Presence look at the screen when you ask, or while it watches for something you asked about. "
            "What it reads stays on this computer.", "Screen"),
    Setting("screen_monitor", "int", 1, "Which monitor",
            "1 is the first monitor, 2 the second, and so on; 0 looks at all of them together.",
            "Screen", minimum=0, maximum=16, step=1, enabled_when=("screen_capture_enabled", (True,))),
    Setting("screen_fps", "float", 5.0, "Looks per second while watching",
            "How often the screen is looked at while a watch runs and for a few seconds after it changed "
            "(otherwise at most once a second). Fewer costs less CPU, but a change is noticed later.", "Screen",
            minimum=0.5, maximum=5.0, step=0.5, enabled_when=("screen_capture_enabled", (True,))),
    Setting("screen_exclusions", "list", ("1Password", "Bitwarden", "KeePassXC", "Private Browsing"),
            "Never capture windows titled",
            "One per line: a window whose title contains this is blanked before anything reads the screen.",
            "Screen", enabled_when=("screen_capture_enabled", (True,))),
    Setting("screen_ocr_engine", "choice", "auto", "Text reader",
            "What reads the text on the screen: RapidOCR (the default), or Tesseract, which is also used when "
            "RapidOCR cannot load.", "Screen", (("auto", "Automatic"), ("rapidocr", "RapidOCR (PP-OCRv6)"),
                                       ("tesseract", "Tesseract 5")),
            enabled_when=("screen_capture_enabled", (True,))),
    Setting("screen_redaction", "bool", True, "Hide passwords, card numbers and keys",
            "Hide screen text and window titles that look like passwords, card numbers or keys before "
            "anything reads them (captions, logs, models). Off: they are read as they are.", "Screen",
            enabled_when=("screen_capture_enabled", (True,))),
    Setting("hotkey_observe", "hotkey", "ctrl+alt+o", "Shortcut: look at the screen",
            "Works from any application: Presence looks at the screen now (also in the tray menu).", "General",
            section="Shortcuts"),
    Setting("hotkey_mute", "hotkey", "ctrl+alt+m", "Shortcut: mute microphone",
            "Works from any application: mute or unmute the microphone.", "General"),
    Setting("close_to_tray", "bool", True, "Closing the window keeps Presence in the tray",
            "Quit from the tray menu. Without a tray, closing always quits.", "General", section="Window"),
    Setting("autostart", "bool", False, "Start Presence when I log in", "Adds Presence to the desktop's autostart.",
            "General"),
    Setting("developer_view", "bool", False, "Show developer timings",
            "Timing figures of the assistant's loop in the window's status bar, for developers.", "General"),
    Setting("first_run_done", "bool", False, "First run done", "The welcome was shown.", "General", hidden=True),
)
BY_KEY: dict[str, Setting] = {s.key: s for s in SCHEMA}
assert len(BY_KEY) == len(SCHEMA), "duplicate setting key"
assert all(s.group in GROUPS for s in SCHEMA)


class Settings(Mapping[str, Any]):
    """An immutable, validated set of values for every key in SCHEMA.

    Keys the schema does not know (written by a newer version) are kept in `extra` and written
    back, so running an older Presence once does not erase a newer one's settings.
    """

    def __init__(self, values: Mapping[str, Any] | None = None, extra: Mapping[str, Any] | None = None) -> None:
        values = dict(values or {})
        unknown = set(values) - set(BY_KEY)
        if unknown:
            raise KeyError(f"unknown setting {sorted(unknown)[0]!r}")
        self._values = {s.key: s.coerce(values[s.key]) if s.key in values else _frozen(s.default) for s in SCHEMA}
        self.extra: dict[str, Any] = dict(extra or {})

    @classmethod
    def defaults(cls) -> Settings:
        return cls()

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        shown = {k: ("***" if BY_KEY[k].kind == "secret" and v else v) for k, v in self._values.items()}
        return f"Settings({shown})"

    def replace(self, changes: Mapping[str, Any]) -> Settings:
        """A copy with `changes` applied (validated; ValueError/KeyError name the bad setting)."""
        merged = dict(self._values)
        for key, value in changes.items():
            if key not in BY_KEY:
                raise KeyError(f"unknown setting {key!r}")
            try:
                merged[key] = BY_KEY[key].coerce(value)
            except ValueError as exc:
                raise ValueError(f"{BY_KEY[key].label}: {exc}") from None
        return Settings(merged, self.extra)

    def to_json(self) -> dict[str, Any]:
        out = {k: list(v) if isinstance(v, tuple) else v for k, v in self._values.items()}
        return {**self.extra, **out}

    def enabled(self, key: str) -> bool:
        """Whether a setting matters with the current values (its `enabled_when` holds)."""
        cond = BY_KEY[key].enabled_when
        return cond is None or self._values[cond[0]] in cond[1]


def _frozen(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


# --- hotkeys ------------------------------------------------------------------------------------
MODIFIERS = ("ctrl", "alt", "shift", "super")
_ALIASES = {"control": "ctrl", "meta": "super", "win": "super", "cmd": "super", "option": "alt"}
_NAMED_KEYS = {"space", "tab", "enter", "return", "escape", "esc", "backspace", "delete", "insert", "home", "end",
               "pageup", "pagedown", "up", "down", "left", "right", "pause", "print", *(f"f{i}" for i in range(1, 25))}


def normalize_hotkey(text: str) -> str:
    """'Ctrl+Alt+O' or 'control + alt + o' -> 'ctrl+alt+o'; '' stays '' (no shortcut)."""
    parts = [_ALIASES.get(p.strip().lower(), p.strip().lower()) for p in text.split("+")] if text.strip() else []
    if not parts:
        return ""
    *mods, key = parts
    if any(m not in MODIFIERS for m in mods) or len(set(mods)) != len(mods):
        raise ValueError(f"{text!r}: modifiers must be among {', '.join(MODIFIERS)}")
    if not (len(key) == 1 and key.isprintable() and key != "+") and key not in _NAMED_KEYS:
        raise ValueError(f"{text!r}: {key!r} is not a key")
    ordered = [m for m in MODIFIERS if m in mods]
    return "+".join([*ordered, key])


def hotkey_to_qt(hotkey: str) -> str:
    """'ctrl+alt+o' -> 'Ctrl+Alt+O' (QKeySequence's portable text); super is Qt's Meta."""
    names = {"ctrl": "Ctrl", "alt": "Alt", "shift": "Shift", "super": "Meta", "esc": "Esc", "pageup": "PgUp",
             "pagedown": "PgDown", "delete": "Del", "insert": "Ins", "backspace": "Backspace", "print": "Print"}
    return "+".join(names.get(p, p.upper() if len(p) == 1 else p.capitalize()) for p in hotkey.split("+") if p)


def hotkey_from_qt(text: str) -> str:
    """QKeySequence.toString() of the first chord -> our form ('Ctrl+Alt+O' -> 'ctrl+alt+o')."""
    first = text.split(",")[0].strip()
    names = {"meta": "super", "pgup": "pageup", "pgdown": "pagedown", "del": "delete", "ins": "insert"}
    return normalize_hotkey("+".join(names.get(p.lower(), p) for p in first.split("+"))) if first else ""
