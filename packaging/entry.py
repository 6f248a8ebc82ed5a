"""Entry point of the PyInstaller bundle: `dist/presence/presence [run|replay|bench|doctor]`."""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()  # harmless without child processes; required if any library spawns one
    from presence.cli import main

    sys.exit(main())
