"""presence [run|replay|bench|doctor|panel-schema]: every failure is one clear line and a non-zero exit."""

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


def cmd_replay(args: argparse.Namespace) -> int:
    from presence.devices.audio_files import read_wav_16k_mono
    from presence.runtime.build import load_models
    from presence.runtime.replay import ReplayOptions, prepare_out, replay, summary_lines

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


def cmd_run(args: argparse.Namespace) -> int:
    from presence.gui.app import run_gui

    return run_gui(headless=args.headless, mic=args.mic, speaker=args.speaker, seconds=args.seconds)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="presence", description="A desktop assistant that is present.")
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
        if isinstance(exc, _user_errors()):
            print(f"presence: {exc}", file=sys.stderr)
            return EXIT_FAILED
        log = _write_crash_log()
        print(f"presence: unexpected {type(exc).__name__}: {exc} (details in {log})", file=sys.stderr)
        return EXIT_FAILED


def _write_crash_log() -> Path:
    """Tracebacks go to a file in the state dir, not to the user's terminal."""
    import traceback

    from platformdirs import user_state_dir

    d = Path(user_state_dir("presence"))
    d.mkdir(parents=True, exist_ok=True)
    path = d / "crash.log"
    with open(path, "a", encoding="utf-8") as f:
        f.write(traceback.format_exc() + "\n")
    return path


if __name__ == "__main__":
    sys.exit(main())
