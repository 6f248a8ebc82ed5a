"""presence [run|replay|bench|doctor|panel-schema|history]: every failure is one clear line and a non-zero exit.

`presence --version` prints the version. An unexpected failure's traceback goes to crash.log in the
log folder (presence.logs: $PRESENCE_LOG_DIR or the platform state folder; rotated), never to the
terminal.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_USAGE = 2
EXIT_FAILED = 1


class UserFacingError(Exception):
    """Anything the user can fix; printed as one line without a traceback."""


def _user_errors() -> tuple[type[BaseException], ...]:
    from presence.devices.audio_files import AudioFileError
    from presence.devices.sound import AudioDeviceError
    from presence.models.llm import ModelLoadError
    from presence.models.paths import ModelMissing
    from presence.runtime.replay import ReplayError

    return (UserFacingError, AudioFileError, AudioDeviceError, ModelLoadError, ModelMissing, ReplayError,
            FileNotFoundError)


def _check_replay_numbers(args: argparse.Namespace) -> None:
    """Numbers that parse but mean nothing (nan, a negative tail): one clear line before anything loads."""
    import math

    if not math.isfinite(args.echo_gain) or not 0.0 <= args.echo_gain <= 10.0:
        raise UserFacingError(f"--echo-gain must be a number from 0 to 10, not {args.echo_gain}")
    if not math.isfinite(args.echo_delay_ms) or not 0.0 <= args.echo_delay_ms <= 10_000.0:
        raise UserFacingError(f"--echo-delay-ms must be from 0 to 10000 ms, not {args.echo_delay_ms}")
    if not 0 <= args.tail_ms <= 600_000:
        raise UserFacingError(f"--tail-ms must be from 0 to 600000 ms, not {args.tail_ms}")


def cmd_replay(args: argparse.Namespace) -> int:
    from presence.devices.audio_files import read_wav_16k_mono
    from presence.runtime.build import load_models
    from presence.runtime.replay import ReplayOptions, prepare_out, replay, summary_lines

    _check_replay_numbers(args)
    read_wav_16k_mono(Path(args.audio))  # fail on bad input before loading models
    prepare_out(Path(args.out))
    if args.screen and not Path(args.screen).is_dir():
        raise UserFacingError(f"screen folder not found: {args.screen}")
    opts = ReplayOptions(Path(args.audio), Path(args.out), Path(args.screen) if args.screen else None,
                         args.echo_gain, args.echo_delay_ms, args.fast, args.tail_ms)
    events = replay(opts, load_models())
    if not args.quiet:
        print("\n".join(summary_lines(events)))
    print(f"wrote {opts.out / 'assistant.wav'} and {opts.out / 'events.jsonl'}")
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from presence.doctor import run_doctor

    return run_doctor(print)


def cmd_bench(args: argparse.Namespace) -> int:
    from presence.bench import run_bench

    return run_bench(print, replay_s=args.seconds, scenarios=args.scenarios)


def cmd_panel_schema(args: argparse.Namespace) -> int:
    """The JSON Schema of generated panels, for model servers' constrained decoding and for docs."""
    import json

    from presence.core.panels import panel_json_schema

    text = json.dumps(panel_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if not args.out:
        sys.stdout.write(text)
        return 0
    out = Path(args.out)
    if not out.parent.is_dir():
        raise UserFacingError(f"folder not found for --out: {out.parent}")
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserFacingError(f"cannot write {out}: {exc.strerror or exc}") from None
    print(f"wrote {out}")
    return 0


def _cache_dir() -> Path:
    import os

    override = os.environ.get("PRESENCE_CACHE_DIR")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("presence", appauthor=False))


def cmd_history(args: argparse.Namespace) -> int:
    """List, search, export or delete the conversation history (presence.history)."""
    import sqlite3

    from presence.history import HistoryError, HistoryStore, default_path
    from presence.history.views import describe, to_json, to_markdown, turns

    if args.forget_all:
        return _forget_all(args.yes)
    path = default_path()
    if not path.exists():
        print(f"no history yet ({path})")
        return 0
    try:
        with HistoryStore(path) as store:
            if args.delete is not None:
                if not store.delete(args.delete):
                    raise UserFacingError(f"no conversation {args.delete} in the history")
                print(f"deleted conversation {args.delete}")
                return 0
            if args.search is not None:
                hits = store.search(args.search)
                for line in hits:
                    when = _when(line.at)
                    print(f"[{line.conversation_id}] {when} {describe(turns([line])[0])}")
                if not hits:
                    print(f"nothing in the history matches {args.search!r}")
                return 0
            conversations = store.conversations()
            if args.conversation is not None:
                conversations = [c for c in conversations if c.id == args.conversation]
                if not conversations:
                    raise UserFacingError(f"no conversation {args.conversation} in the history")
            if args.export:
                fmt, out = args.export
                if fmt not in ("md", "json"):
                    raise UserFacingError(f"--export takes md or json, not {fmt!r}")
                chosen = [(c, store.lines(c.id)) for c in reversed(conversations)]  # oldest first
                text = to_markdown(chosen) if fmt == "md" else to_json(chosen)
                _write_text(Path(out), text)
                print(f"wrote {len(chosen)} conversation(s) to {out}")
                return 0
            for c in conversations:
                print(f"{c.id:>5}  {_when(c.started)}  {c.lines:>4} lines  {c.title[:60]}")
            if not conversations:
                print("the history is empty")
    except (HistoryError, sqlite3.Error) as exc:
        raise UserFacingError(f"history: {exc}") from None
    return 0


def _when(at: float) -> str:
    import datetime

    return datetime.datetime.fromtimestamp(at).strftime("%Y-%m-%d %H:%M")


def _write_text(out: Path, text: str) -> None:
    if not out.parent.is_dir():
        raise UserFacingError(f"folder not found: {out.parent}")
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserFacingError(f"cannot write {out}: {exc.strerror or exc}") from None


def _forget_all(yes: bool) -> int:
    from presence.history import default_path
    from presence.history.forget import forget_everything
    from presence.logs import log_dir

    if not yes and sys.stdin.isatty():
        answer = input("Delete all conversation history, caches and logs? Settings are kept. [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("nothing deleted")
            return 0
    logging_off()
    removed = forget_everything(default_path(), [_cache_dir()], [log_dir()])
    print(f"forgot everything: {len(removed)} file(s) and folder(s) removed (history, caches, logs)")
    return 0


def logging_off() -> None:
    """Close the log files this process holds, so forgetting the logs leaves none behind."""
    import logging

    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, logging.FileHandler):
            root.removeHandler(handler)
            handler.close()


def cmd_run(args: argparse.Namespace) -> int:
    from presence.gui.app import run_gui

    return run_gui(headless=args.headless, mic=args.mic, speaker=args.speaker, seconds=args.seconds)


def version() -> str:
    """The installed distribution's version (the bundle's metadata too); 'unknown' without one."""
    from importlib import metadata

    try:
        return metadata.version("presence")
    except metadata.PackageNotFoundError:
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="presence", description="A desktop assistant that is present.")
    p.add_argument("--version", action="version", version=f"presence {version()}")
    sub = p.add_subparsers(dest="command")
    run = sub.add_parser("run", help="open the window; listen on the microphone, speak on the speaker")
    run.add_argument("--mic", help="input device: index or part of its name (default: system default)")
    run.add_argument("--speaker", help="output device: index or part of its name")
    run.add_argument("--headless", action="store_true", help="no window: converse on the audio devices only")
    run.add_argument("--seconds", type=float, help="stop after this many seconds (tests, demos)")
    run.set_defaults(func=cmd_run)
    rp = sub.add_parser("replay", help="feed a WAV file as the microphone through the real tick loop")
    rp.add_argument("--audio", required=True, help="the user's microphone track (WAV)")
    rp.add_argument("--screen", help="folder of PNG frames named by the ms they appear (0.png, 7000.png)")
    rp.add_argument("--echo-gain", type=float, default=0.0, help="add the assistant's output back into the mic")
    rp.add_argument("--echo-delay-ms", type=float, default=0.0, help="delay of that echo path")
    rp.add_argument("--out", required=True, help="folder for assistant.wav and events.jsonl")
    rp.add_argument("--fast", action="store_true", help="do not pace at real time (output still placed "
                    "at the time it would have been produced)")
    rp.add_argument("--tail-ms", type=int, default=0, help="extra silence after the input")
    rp.add_argument("--quiet", action="store_true")
    rp.set_defaults(func=cmd_replay)
    b = sub.add_parser("bench", help="measure tick compute, models and idle CPU; print a table")
    b.add_argument("--seconds", type=float, default=60.0, help="length of the silence replay for tick stats")
    b.add_argument("--scenarios", action="append", help="folder of duplex scenarios to score, repeatable "
                   "(default: the built-in set, and ../shared/duplex/public when the checkout has it)")
    b.set_defaults(func=cmd_bench)
    d = sub.add_parser("doctor", help="check devices, display and models; say how to fix what is missing")
    d.set_defaults(func=cmd_doctor)
    h = sub.add_parser("history", help="list, search, export or delete the conversation history")
    h.add_argument("--search", metavar="Q", help="print the lines that contain Q (any case)")
    h.add_argument("--export", nargs=2, metavar=("md|json", "FILE"), help="write the history as Markdown or JSON")
    h.add_argument("--conversation", type=int, metavar="ID", help="only this conversation (with --export)")
    h.add_argument("--delete", type=int, metavar="ID", help="delete one conversation")
    h.add_argument("--forget-all", action="store_true",
                   help="delete all history, caches and logs (settings are kept)")
    h.add_argument("--yes", action="store_true", help="do not ask before --forget-all")
    h.set_defaults(func=cmd_history)
    ps = sub.add_parser("panel-schema", help="print the JSON Schema of generated UI panels")
    ps.add_argument("--out", help="write it to this file instead of printing it")
    ps.set_defaults(func=cmd_panel_schema)
    return p


def main(argv: list[str] | None = None) -> int:
    from presence.logs import setup_logging

    setup_logging()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        try:
            user_errors = _user_errors()
        except Exception:  # a broken install must not hide the real failure
            user_errors = (UserFacingError,)
        if isinstance(exc, user_errors):
            print(f"presence: {exc}", file=sys.stderr)
            return EXIT_FAILED
        from presence.logs import scrub, write_crash_log

        log = write_crash_log()  # the traceback goes to a file in the log folder, not to the user's terminal
        where = f"details in {log}" if log is not None else "the crash log could not be written"
        print(scrub(f"presence: unexpected {type(exc).__name__}: {exc} ({where})"), file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
