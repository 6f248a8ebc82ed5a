"""The layers hold: every module's imports, read with `ast` (nothing is imported), obey the layering.

    core  <  devices, speech, models  <  screen, settings  <  runtime  <  gui, cli (and the app's
    top-level modules: bench, doctor, diagnostics, ...)

    history (the conversation store) imports only core; like settings, runtime never imports it
    (the GUI and the command line wire it in and hand the runtime plain values).

A module may import its own layer and the layers below it, never one above. Imports inside
functions (the lazy ones) and under `if TYPE_CHECKING:` count too: a type-only import upward still
ties a lower layer to a higher one. Runtime does not read the settings file either: it takes plain
values (build_app's user_settings, apply_settings), and presence.runtime.build.backend_spec is
where settings keys become a typed BackendSpec.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# pyproject's package-dir: the package `presence` is app/, `presence.models` is models/.
SOURCES = (("presence.models", ROOT / "models"), ("presence", ROOT / "app"))

# What each package may import of ours (besides itself); a module outside these packages is an
# application module (cli, bench, doctor, ...) at the top and may import anything.
LOW = ("presence.core", "presence.devices", "presence.speech", "presence.models")
MIDDLE = (*LOW, "presence.screen", "presence.settings")
# Top-level modules that import nothing of ours (checked below), so any layer above core may use
# them: desktop integration (also run as a script by the system Python: `make install-desktop`).
LEAVES = ("presence.desktop",)
ALLOWED = {
    "presence.core": ("presence.core",),
    "presence.devices": LOW,
    "presence.speech": LOW,
    "presence.models": LOW,
    "presence.screen": (*MIDDLE, *LEAVES),
    "presence.settings": (*MIDDLE, *LEAVES),
    "presence.runtime": (*LOW, "presence.screen", "presence.runtime", *LEAVES),
    "presence.history": ("presence.core",),
}
# The only importers of Qt: the GUI package, and two app-level modules that import it inside
# functions and work without it (the single-instance guard; the Qt version in diagnostics).
QT_IMPORTERS = ("presence.gui", "presence.single_instance", "presence.diagnostics")
# The only importers of the GUI package: itself, and the command line (lazily, for `presence run`).
GUI_IMPORTERS = ("presence.gui", "presence.cli")


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # what it imports, absolute ("presence.screen.windows", "PySide6.QtCore")
    line: int

    def __str__(self) -> str:
        return f"{self.module}:{self.line} imports {self.target}"


def within(name: str, packages: Iterable[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


def module_name(path: Path) -> tuple[str, bool]:
    """(dotted module name, is a package __init__) of a source file under SOURCES."""
    for package, folder in SOURCES:
        if path.is_relative_to(folder):
            parts = list(path.relative_to(folder).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            if is_package:
                parts.pop()
            return ".".join([package, *parts]), is_package
    raise ValueError(f"{path} is not in the package")


def imports_in(source: str, module: str, is_package: bool = False) -> list[Import]:
    """Every import in the source, relative ones resolved, at any depth (function bodies included)."""
    package = module if is_package else module.rpartition(".")[0]
    found: list[Import] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [Import(module, alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target == "presence":  # `from presence import single_instance`: the module presence.single_instance
                found += [Import(module, f"presence.{alias.name}", node.lineno) for alias in node.names]
            else:
                found.append(Import(module, target, node.lineno))
    return found


def violations(imports: Iterable[Import]) -> list[str]:
    """The imports that break a layer rule, each with the rule it breaks."""
    out: list[str] = []
    for imp in imports:
        if within(imp.target, ("PySide6",)) and not within(imp.module, QT_IMPORTERS):
            out.append(f"{imp}: only {', '.join(QT_IMPORTERS)} import Qt")
        if not within(imp.target, ("presence",)):
            continue
        if within(imp.target, ("presence.gui",)) and not within(imp.module, GUI_IMPORTERS):
            out.append(f"{imp}: only {', '.join(GUI_IMPORTERS)} import the GUI")
        layer = next((p for p in ALLOWED if within(imp.module, (p,))), None)
        if layer is not None and imp.target != "presence" and not within(imp.target, (layer, *ALLOWED[layer])):
            out.append(f"{imp}: {layer} may import only {', '.join(sorted({layer, *ALLOWED[layer]}))}")
    return out


def all_imports() -> Iterator[Import]:
    for _, folder in SOURCES:
        for path in sorted(folder.rglob("*.py")):
            module, is_package = module_name(path)
            yield from imports_in(path.read_text(encoding="utf-8"), module, is_package)


def _for(prefixes: tuple[str, ...]) -> list[str]:
    return violations(i for i in all_imports() if within(i.module, prefixes))


# --- the checker finds what it is meant to find ------------------------------------------------

def test_the_checker_finds_upward_lazy_relative_and_qt_imports():
    source = (
        "from presence.core.ports import Microphone\n"  # fine: devices -> core
        "from presence.screen.windows import exclude_windows\n"  # devices -> screen: up
        "from ..runtime import build\n"  # relative: presence.runtime, up
        "def later():\n"
        "    import PySide6.QtCore\n"  # lazy Qt outside the GUI
        "    from presence.gui import app\n"  # lazy GUI import
    )
    imports = imports_in(source, "presence.devices.fake_camera")
    assert [i.target for i in imports] == ["presence.core.ports", "presence.screen.windows", "presence.runtime",
                                           "PySide6.QtCore", "presence.gui"]
    found = violations(imports)
    assert len(found) == 5, found  # screen, runtime, Qt, and the GUI import twice (GUI rule + layer rule)
    assert any("presence.screen.windows" in v for v in found)
    assert any("imports presence.runtime:" in v for v in found)
    assert any("PySide6.QtCore" in v and "import Qt" in v for v in found)
    assert not violations(imports_in("from presence.core import text\nimport numpy\n", "presence.core.skills"))
    assert violations(imports_in("from presence.settings.schema import BY_KEY\n", "presence.runtime.screenwork"))
    assert violations(imports_in("from . import turns\nfrom .. import logs\n", "presence.core", is_package=True))


def test_module_names_follow_the_package_mapping():
    assert module_name(ROOT / "app" / "core" / "ports.py") == ("presence.core.ports", False)
    assert module_name(ROOT / "app" / "runtime" / "__init__.py") == ("presence.runtime", True)
    assert module_name(ROOT / "models" / "backends.py") == ("presence.models.backends", False)
    assert len({i.module for i in all_imports()}) > 80  # every package was read


# --- the rules on the real tree ------------------------------------------------------------------

def test_core_imports_nothing_of_ours_outside_core():
    assert _for(("presence.core",)) == []


@pytest.mark.parametrize("package", ["presence.devices", "presence.speech", "presence.models"])
def test_devices_speech_and_models_import_only_core_and_each_other(package):
    """No runtime, gui, settings, screen, evaluation or cli below them."""
    assert _for((package,)) == []


@pytest.mark.parametrize("package", ["presence.screen", "presence.settings"])
def test_screen_and_settings_do_not_import_runtime_or_gui(package):
    assert _for((package,)) == []


def test_runtime_imports_neither_settings_nor_gui():
    assert _for(("presence.runtime",)) == []


def test_history_imports_only_core_and_nothing_below_the_gui_imports_history():
    assert _for(("presence.history",)) == []
    assert violations(imports_in("from presence.history import HistoryStore\n", "presence.runtime.session"))
    assert violations(imports_in("from presence.screen import watch\n", "presence.history.store"))
    below = ("presence.core", "presence.devices", "presence.speech", "presence.models", "presence.screen",
             "presence.settings", "presence.runtime")
    assert [str(i) for i in all_imports() if within(i.module, below) and within(i.target, ("presence.history",))] \
        == []


def test_leaves_import_nothing_of_ours():
    assert [str(i) for i in all_imports() if within(i.module, LEAVES) and within(i.target, ("presence",))] == []


def test_only_the_gui_imports_qt_and_only_cli_imports_the_gui():
    assert violations(i for i in all_imports() if within(i.target, ("PySide6", "presence.gui"))) == []
