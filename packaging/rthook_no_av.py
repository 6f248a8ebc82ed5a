"""PyInstaller runtime hook: a stand-in for PyAV, which the bundle leaves out (~100 MB).

faster_whisper imports `av` at module level but only calls it in decode_audio() (reading audio
files); Presence always passes numpy arrays. Any real use raises a clear ImportError.
"""

import sys
import types


class _PyAvNotBundled(types.ModuleType):
    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        raise ImportError("PyAV (av) is not in the Presence bundle; audio files are read with the wave module")


sys.modules.setdefault("av", _PyAvNotBundled("av"))
