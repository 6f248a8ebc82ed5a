"""Change detection: finds what changed and where, cheaply, and widens partial line changes."""

from __future__ import annotations

import time

import numpy as np
from screen_frames import Scene

from presence.screen.changes import ChangeDetector, merge_boxes, xy_cut

BASE = ["def total(items):", "    s = 0", "", "$ make build", "compiling 14 files ..."]


def _inside(inner, outer) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and inner[2] <= outer[2] and inner[3] <= outer[3]


def test_first_frame_is_a_reset_and_identical_frame_has_no_change():
    det = ChangeDetector()
    a = Scene(BASE).render()
    first = det.update(a)
    assert first.reset and not first.boxes
    again = det.update(a.copy())
    assert not again.any and again.changed_fraction == 0.0


def test_dialog_appearing_is_one_region_covering_it():
    det = ChangeDetector()
    det.update(Scene(BASE).render())
    change = det.update(Scene(BASE, dialog=["Build failed", "error: cannot find symbol"]).render())
    assert len(change.boxes) == 1
    box = change.boxes[0]
    assert _inside((300, 280, 980, 520), box)
    assert box[2] - box[0] < 760 and box[3] - box[1] < 320  # tight: not the whole screen


def test_new_terminal_line_is_found_and_old_lines_are_not_in_it():
    det = ChangeDetector()
    det.update(Scene(BASE).render())
    scene = Scene(BASE + ["linking ..."])
    change = det.update(scene.render())
    assert len(change.boxes) == 1
    new_item = next(b for t, b in scene.items if t == "linking ...")
    old_item = next(b for t, b in scene.items if t == "$ make build")
    assert _inside(new_item, change.boxes[0])
    assert change.boxes[0][1] > old_item[3] - 2  # the unchanged line above is not re-read


def test_changed_word_is_widened_to_the_whole_line():
    det = ChangeDetector()
    det.update(Scene(["Downloading video.mp4 ... 45%"]).render())
    scene = Scene(["Downloading video.mp4 ... 100%"])
    change = det.update(scene.render())
    line = scene.items[-1][1]
    assert any(b[0] <= line[0] + 2 and b[2] >= line[2] - 2 for b in change.boxes), (change.boxes, line)


def test_clock_change_is_a_small_region_at_the_clock():
    det = ChangeDetector()
    det.update(Scene(BASE, clock="12:01").render())
    scene = Scene(BASE, clock="12:02")
    change = det.update(scene.render())
    clock = next(b for t, b in scene.items if t == "12:02")
    assert len(change.boxes) == 1 and _inside(clock, (change.boxes[0][0] - 1, change.boxes[0][1] - 1,
                                                      change.boxes[0][2] + 1, change.boxes[0][3] + 1))
    assert change.changed_fraction < 0.01


def test_resolution_change_resets():
    det = ChangeDetector()
    det.update(Scene(BASE).render())
    change = det.update(np.zeros((600, 1000, 3), np.uint8))
    assert change.reset


def test_whole_screen_change_is_one_full_box():
    det = ChangeDetector()
    det.update(np.zeros((800, 1280, 3), np.uint8))
    change = det.update(np.full((800, 1280, 3), 200, np.uint8))
    assert change.boxes == ((0, 0, 1280, 800),)


def test_blue_on_black_text_is_seen():
    det = ChangeDetector()
    a = np.zeros((800, 1280, 3), np.uint8)
    b = a.copy()
    b[100:110, 100:200, 2] = 255
    change = det.update(a) and det.update(b)
    assert change.boxes


def test_xy_cut_and_merge():
    mask = np.zeros((20, 40), bool)
    mask[2:4, 2:6] = True
    mask[2:4, 30:34] = True
    mask[15:17, 2:6] = True
    boxes = sorted(xy_cut(mask, row_gap=2, col_gap=4))
    assert boxes == [(2, 2, 6, 4), (2, 15, 6, 17), (30, 2, 34, 4)]
    assert merge_boxes([(0, 0, 10, 10), (5, 5, 20, 20), (40, 40, 50, 50)]) == [(0, 0, 20, 20), (40, 40, 50, 50)]


def test_detection_is_cheap():
    """Budget: <= 5 ms per 1280x800 frame (with capture); generous bound for a loaded CI machine."""
    det = ChangeDetector()
    a = Scene(BASE).render()
    b = Scene(BASE, dialog=["Build failed"]).render()
    det.update(a)
    times = []
    for i in range(20):
        t0 = time.perf_counter()
        det.update(b if i % 2 else a)
        times.append(time.perf_counter() - t0)
    assert float(np.median(times)) * 1000 < 25


def test_scroll_is_a_shift_and_only_the_new_line_is_read():
    log = [f"[{i:02d}] compiling module_{i}.c" for i in range(12)]
    det = ChangeDetector()
    det.update(Scene(log).render())
    scene = Scene(log[1:] + ["[12] linking"])
    change = det.update(scene.render())
    assert change.shifts and all(s.dy_px == -26 for s in change.shifts)
    new_line = scene.items[-1][1]
    assert len(change.boxes) == 1 and _inside(new_line, change.boxes[0])
    assert change.boxes[0][3] - change.boxes[0][1] < 40  # one line tall, not the whole log


def test_scroll_of_a_full_screen_terminal():
    log = [f"line {i}: " + "x" * 60 for i in range(40)]
    det = ChangeDetector()
    det.update(Scene(log, line_px=18, top_px=40, size_px=14).render())
    change = det.update(Scene(log[3:] + ["a", "b", "c"], line_px=18, top_px=40, size_px=14).render())
    assert change.shifts and change.shifts[0].dy_px == -54
    assert all(b[3] - b[1] < 80 for b in change.boxes)
