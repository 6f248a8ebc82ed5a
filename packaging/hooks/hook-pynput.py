# Replaces the contrib hook for pynput, which imports pynput to list its submodules and so needs
# an X display at build time (and warns without one). pynput picks its backend with importlib at
# run time; name the ones for this platform instead. Xlib loads its extension modules by name too.
import sys

from PyInstaller.utils.hooks import collect_submodules

if sys.platform.startswith("linux"):
    hiddenimports = ["pynput.keyboard._xorg", "pynput.mouse._xorg", "pynput._util.xorg", "pynput._util.xorg_keysyms",
                     "pynput.keyboard._uinput", "pynput._util.uinput", *collect_submodules("Xlib")]
elif sys.platform == "win32":
    hiddenimports = ["pynput.keyboard._win32", "pynput.mouse._win32", "pynput._util.win32", "pynput._util.win32_vks"]
elif sys.platform == "darwin":
    hiddenimports = ["pynput.keyboard._darwin", "pynput.mouse._darwin", "pynput._util.darwin",
                     "pynput._util.darwin_vks"]
else:
    hiddenimports = []
