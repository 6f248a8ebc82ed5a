"""The transcript view: a user line edited and sent again, a screen reading opened and closed, and the
window's caption keeping partials out of the transcript."""

from __future__ import annotations

import pytest
from fakes_for_gui import needs_display

from presence.core import events

pytestmark = [pytest.mark.gui, needs_display]


def editor_of(transcript):
    """The line editor open in the transcript (a closed one lingers until it is deleted)."""
    from PySide6.QtWidgets import QLineEdit

    return next((e for e in transcript.findChildren(QLineEdit) if e.isVisible()), None)


def test_a_user_line_can_be_edited_and_sent_again(controlled, qtbot):
    from PySide6.QtCore import Qt

    window, controller = controlled
    window.handle_event(events.UserText(t_ms=1000, text="What is the capital of Spian?", reply_id=1))
    window.handle_event(events.AssistantText(t_ms=1600, text="I'm not sure.", reply_id=1))
    transcript = window.transcript
    assert not transcript.edit_line(1)  # Presence's lines are not editable
    rect = transcript.visualItemRect(transcript.item(0))
    qtbot.mouseClick(transcript.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(transcript.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # as a real double-click
    qtbot.waitUntil(lambda: editor_of(transcript) is not None, timeout=2000)  # a double-click edits
    assert editor_of(transcript).text() == "What is the capital of Spian?"  # the words, no time or "You:"
    qtbot.keyClick(editor_of(transcript), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: editor_of(transcript) is None, timeout=2000)
    assert transcript.edit_line(0)  # what F2 and the context menu's "Edit and resend" do
    editor = editor_of(transcript)
    editor.setText("What is the capital of Spain?")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: controller.texts == ["What is the capital of Spain?"], timeout=2000)  # committed queued
    assert window.transcript_lines()[0] == "[00:01] You: What is the capital of Spian?"  # the line as it was said
    # the runner echoes the resent text as a typed turn: a new line
    window.handle_event(events.UserText(t_ms=5000, text="What is the capital of Spain?", typed=True))
    assert window.transcript_lines()[-1] == "[00:05] You: What is the capital of Spain?"
    assert transcript.edit_line(transcript.count() - 1)  # F2 / the menu's Edit and resend do the same
    qtbot.keyClick(editor_of(transcript), Qt.Key.Key_Escape)  # Esc sends nothing
    qtbot.wait(50)
    assert controller.texts == ["What is the capital of Spain?"]


def test_a_screen_reading_opens_and_closes_on_a_click(controlled, qtbot):
    from PySide6.QtCore import Qt

    window, _ = controlled
    window.handle_event(events.ScreenRead(t_ms=9000, text="Your screen shows: Build failed.", frame_t_ms=8200,
                                          window="Terminal"))
    transcript = window.transcript
    assert window.transcript_lines() == ["[00:08] Looked at the screen — Terminal ▸"]
    rect = transcript.visualItemRect(transcript.item(0))
    qtbot.mouseClick(transcript.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.transcript_lines()[0].endswith("▾\nRead: Your screen shows: Build failed.")
    qtbot.keyClick(transcript, Qt.Key.Key_Return)
    assert window.transcript_lines()[0].endswith("▸")
    assert not transcript.edit_line(0)


def test_fillers_stay_in_the_caption_only(controlled):
    window, _ = controlled
    window.handle_event(events.UserText(t_ms=1000, text="Hi.", reply_id=1))
    window.handle_event(events.AssistantText(t_ms=1200, text="Um.", reply_id=0))
    assert window.caption_label.text() == "Presence: Um."  # what is being said now
    assert window.transcript_lines() == ["[00:01] You: Hi."]
    window.handle_event(events.AssistantText(t_ms=1800, text='"A: Hello!"', reply_id=1))
    assert window.caption_label.text() == "Presence: Hello!"
    assert window.transcript_lines()[-1] == "[00:01] Presence: Hello!"
