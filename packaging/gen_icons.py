"""Render assets/presence.svg to the PNG sizes desktops and bundles ask for.

    .venv/bin/python packaging/gen_icons.py [--check]

Writes assets/icons/presence-<size>.png for every size in SIZES (the generated PNGs are
committed, so installing needs neither Qt's SVG module nor this script). --check renders into
a temporary folder and fails (exit 1) when a committed PNG is missing or differs from that.
Uses PySide6's QSvgRenderer on the offscreen platform: no display needed.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "assets" / "presence.svg"
ICON_DIR = ROOT / "assets" / "icons"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def png_path(size: int) -> Path:
    return ICON_DIR / f"presence-{size}.png"


def render(svg: Path = SVG, out_dir: Path = ICON_DIR, sizes: tuple[int, ...] = SIZES) -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (keeps Qt's GUI state alive)
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"gen_icons: {svg} is not a valid SVG")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter)
        painter.end()
        path = out_dir / f"presence-{size}.png"
        if not image.save(str(path), "PNG"):
            raise SystemExit(f"gen_icons: could not write {path}")
        written.append(path)
    return written


def differences(tolerance: float = 2.0) -> list[str]:
    """What is wrong with the committed PNGs: missing, wrong size, or not what the SVG renders to now
    (mean absolute difference per channel above `tolerance`, out of 255). File times are not used:
    a git checkout sets them in any order."""
    import tempfile

    import numpy as np
    from PySide6.QtGui import QImage

    def pixels(path: Path) -> np.ndarray | None:
        image = QImage(str(path))
        if image.isNull():
            return None
        image = image.convertToFormat(QImage.Format.Format_RGBA8888)
        data = np.frombuffer(image.constBits(), np.uint8, image.sizeInBytes())
        return data.reshape(image.height(), image.bytesPerLine())[:, : image.width() * 4].astype(np.int16)

    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        render(out_dir=Path(tmp))
        for size in SIZES:
            committed, fresh = pixels(png_path(size)), pixels(Path(tmp) / f"presence-{size}.png")
            name = png_path(size).relative_to(ROOT)
            if committed is None:
                problems.append(f"{name}: missing or unreadable")
            elif committed.shape != fresh.shape:
                problems.append(f"{name}: {committed.shape[1] // 4}x{committed.shape[0]}, expected {size}x{size}")
            elif (diff := float(np.abs(committed - fresh).mean())) > tolerance:
                problems.append(f"{name}: differs from the SVG's rendering (mean difference {diff:.1f})")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the PNGs are present and up to date")
    args = parser.parse_args(argv)
    if args.check:
        problems = differences()
        for problem in problems:
            print(f"gen_icons: {problem}; run packaging/gen_icons.py", file=sys.stderr)
        return 1 if problems else 0
    for path in render():
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
