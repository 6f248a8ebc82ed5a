"""The X11 window list (titles, geometry, which one is active) with python-xlib.

With a window manager (EWMH), `_NET_CLIENT_LIST_STACKING` gives the client windows bottom to
top and `_NET_ACTIVE_WINDOW` the focused one. A bare X server (Xvfb in CI, trayer is no window
manager) has neither: then the root's children are walked in stacking order (query_tree), one
level down into frames, keeping mapped windows that have a title, and the active window is the
one holding the input focus. Titles come from `_NET_WM_NAME` (UTF-8), else `WM_NAME`.

Not X11 (Wayland without XWayland, macOS, Windows) or python-xlib missing: `open_window_lister`
returns None and the screen simply has no titles. One X connection per lister, used from one
thread (the capture thread creates it there).
"""

from __future__ import annotations

import os
from typing import Any

from presence.core.ports import WindowInfo

_MAX_WINDOWS = 200


class X11Windows:
    """Lists visible top-level windows in root coordinates, bottom to top."""

    def __init__(self, display: str | None = None) -> None:
        from Xlib import X, display as xdisplay  # noqa: I001 - python-xlib's module layout

        self._X = X
        self._dpy = xdisplay.Display(display) if display else xdisplay.Display()
        self._root = self._dpy.screen().root
        atom = self._dpy.intern_atom
        self._stacking = atom("_NET_CLIENT_LIST_STACKING")
        self._active = atom("_NET_ACTIVE_WINDOW")
        self._net_name = atom("_NET_WM_NAME")
        self._utf8 = atom("UTF8_STRING")
        self._wm_state = atom("WM_STATE")

    def close(self) -> None:
        self._dpy.close()

    # --- properties ----------------------------------------------------------------------------
    def _title(self, win: Any) -> str:
        try:
            prop = win.get_full_property(self._net_name, self._utf8)
            if prop is not None and prop.value:
                value = prop.value
                return (value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)).strip()
            name = win.get_wm_name()
        except Exception:  # the window went away between listing and asking (BadWindow)
            return ""
        if isinstance(name, bytes):
            name = name.decode("latin-1", "replace")
        return (name or "").strip()

    def _box(self, win: Any) -> tuple[int, int, int, int] | None:
        try:
            attrs = win.get_attributes()
            if attrs.map_state != self._X.IsViewable:
                return None
            geo = win.get_geometry()
            pos = self._root.translate_coords(win, 0, 0)
        except Exception:
            return None
        x, y = int(pos.x), int(pos.y)
        return x, y, x + int(geo.width), y + int(geo.height)

    def _active_id(self) -> int | None:
        try:
            prop = self._root.get_full_property(self._active, self._X.AnyPropertyType)
            if prop is not None and len(prop.value) and int(prop.value[0]):
                return int(prop.value[0])
            focus = self._dpy.get_input_focus().focus
            return int(focus.id) if hasattr(focus, "id") else None
        except Exception:
            return None

    # --- the listing ---------------------------------------------------------------------------
    def _ewmh_clients(self) -> list[Any] | None:
        try:
            prop = self._root.get_full_property(self._stacking, self._X.AnyPropertyType)
        except Exception:
            return None
        if prop is None or not len(prop.value):
            return None
        return [self._dpy.create_resource_object("window", int(wid)) for wid in prop.value[:_MAX_WINDOWS]]

    def _tree_clients(self) -> list[Any]:
        """No window manager list: the root's children (bottom to top), or the titled child of a frame."""
        out: list[Any] = []
        try:
            children = self._root.query_tree().children
        except Exception:
            return out
        for child in children[-_MAX_WINDOWS:]:
            try:
                if child.get_attributes().map_state != self._X.IsViewable:
                    continue  # cheap first: unmapped helper windows are most of a bare server's tree
            except Exception:
                continue
            if self._title(child):
                out.append(child)
                continue
            try:
                inner = child.query_tree().children
            except Exception:
                continue
            titled = [c for c in inner if self._title(c)]
            if titled:
                out.append(titled[-1])
        return out

    def windows(self) -> list[WindowInfo]:
        """Visible titled windows, bottom to top; the active one marked."""
        clients = self._ewmh_clients()
        if clients is None:
            clients = self._tree_clients()
        found: list[tuple[int, str, tuple[int, int, int, int]]] = []
        for win in clients:
            box = self._box(win)
            title = self._title(win) if box is not None else ""
            if box is not None and title:
                found.append((int(win.id), title, box))
        active = self._client_of(self._active_id(), {wid for wid, _, _ in found})
        return [WindowInfo(title, box, wid == active) for wid, title, box in found]

    def _client_of(self, wid: int | None, clients: set[int]) -> int | None:
        """The focus may be on a toolkit's inner window: walk up to the listed client that holds it."""
        if wid is None or wid in clients:
            return wid
        try:
            win = self._dpy.create_resource_object("window", wid)
            for _ in range(8):
                parent = win.query_tree().parent
                if parent is None or int(parent.id) in (0, int(self._root.id)):
                    return None
                if int(parent.id) in clients:
                    return int(parent.id)
                win = parent
        except Exception:
            return None
        return None


def open_window_lister(display: str | None = None) -> X11Windows | None:
    """An X11 window lister, or None where there is no X display (the screen then has no titles)."""
    if not (display or os.environ.get("DISPLAY")):
        return None
    try:
        return X11Windows(display)
    except Exception:  # python-xlib missing, no permission, a Wayland session without XWayland
        return None
