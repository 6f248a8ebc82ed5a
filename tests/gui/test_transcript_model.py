"""The transcript model (no Qt): fillers, partials, barge-in cuts and screen readings land on the right lines."""

from __future__ import annotations

from presence.core import events
from presence.gui.transcript_model import TranscriptModel, tidy_sentence


def feed(*evs: events.Event) -> TranscriptModel:
    model = TranscriptModel()
    for ev in evs:
        model.apply(ev)
    return model


def test_fillers_never_join_a_reply_and_are_not_shown():
    model = feed(
        events.UserText(t_ms=1000, text="What is the capital of France?", reply_id=1),
        events.Filler(t_ms=1600, text="Um."),
        events.AssistantText(t_ms=1600, text="Um.", reply_id=0),
        events.AssistantText(t_ms=2400, text="Paris.", reply_id=1),
        events.UserText(t_ms=5000, text="And of Spain?", reply_id=2),
        events.AssistantText(t_ms=5600, text="So.", reply_id=0),
        events.AssistantText(t_ms=6000, text="Hmm.", reply_id=0),
        events.AssistantText(t_ms=6800, text="Madrid.", reply_id=2),
        events.AssistantText(t_ms=9000, text="Um.", reply_id=0),  # a filler for a reply that never came
    )
    assert model.texts() == [
        "[00:01] You: What is the capital of France?",
        "[00:02] Presence: Paris.",
        "[00:05] You: And of Spain?",
        "[00:06] Presence: Madrid.",
    ]


def test_early_acknowledgement_is_its_own_line():
    model = feed(
        events.UserText(t_ms=1000, text="Plan my week in the background.", reply_id=1),
        events.EarlyAck(t_ms=1200, text="On it.", heard="plan my week"),
        events.AssistantText(t_ms=1200, text="On it.", reply_id=0),
        events.AssistantText(t_ms=2000, text="I'll tell you when the plan is ready.", reply_id=1),
    )
    assert model.texts()[1:] == ["[00:01] Presence: On it.",
                                 "[00:02] Presence: I'll tell you when the plan is ready."]


def test_sentences_join_their_own_reply_even_when_replies_interleave():
    model = feed(
        events.AssistantText(t_ms=1000, text="First one.", reply_id=4),
        events.AssistantText(t_ms=2000, text="Timer done.", reply_id=-1),
        events.AssistantText(t_ms=3000, text="Still the first.", reply_id=4),
        events.AssistantText(t_ms=4000, text="Second.", reply_id=5),
    )
    assert model.texts() == ["[00:01] Presence: First one. Still the first.", "[00:02] Presence: Timer done.",
                             "[00:04] Presence: Second."]


def test_partials_stay_out_and_the_user_line_is_the_final_transcript_once():
    model = feed(
        events.UserPartialText(t_ms=800, text="what is"),
        events.UserPartialText(t_ms=1200, text="what is the time", complete=True),
        events.UserText(t_ms=1600, text="What is the time?", reply_id=3),
    )
    assert model.texts() == ["[00:01] You: What is the time?"]
    # the same reply's transcript again (a held reply committed) changes nothing
    model.apply(events.UserText(t_ms=1800, text="What is the time?", reply_id=3))
    assert model.texts() == ["[00:01] You: What is the time?"]


def test_a_turn_heard_again_replaces_its_first_version():
    # the reply to "what is the" was dropped when the user went on; the whole turn comes back
    model = feed(
        events.UserText(t_ms=1000, text="What is the", reply_id=1),
        events.ReplyDiscarded(t_ms=1400, reply_id=1, reason="user continued"),
        events.UserText(t_ms=3000, text="What is the weather in Lyon?", reply_id=2),
        events.AssistantText(t_ms=3600, text="Sunny.", reply_id=2),
    )
    assert model.texts() == ["[00:01] You: What is the weather in Lyon?", "[00:03] Presence: Sunny."]
    # without a discard event: a longer transcript that starts with the unanswered one replaces it
    model = feed(
        events.UserText(t_ms=1000, text="Set a timer", reply_id=1),
        events.UserText(t_ms=2000, text="Set a timer for five minutes.", reply_id=2),
    )
    assert model.texts() == ["[00:01] You: Set a timer for five minutes."]
    # an answered turn, a typed line or an unrelated new turn is never replaced
    model = feed(
        events.UserText(t_ms=1000, text="Hello.", reply_id=1),
        events.AssistantText(t_ms=1500, text="Hi!", reply_id=1),
        events.UserText(t_ms=3000, text="Hello again.", reply_id=2),
        events.UserText(t_ms=4000, text="typed", typed=True),
        events.UserText(t_ms=5000, text="typed and spoken", reply_id=3),
        events.UserText(t_ms=6000, text="Something else entirely.", reply_id=4),
    )
    assert [t.split("] ", 1)[1] for t in model.texts()] == [
        "You: Hello.", "Presence: Hi!", "You: Hello again.", "You: typed", "You: typed and spoken",
        "You: Something else entirely."]


def test_barge_in_cuts_the_reply_it_interrupted():
    model = feed(
        events.UserText(t_ms=1000, text="Tell me a story.", reply_id=1),
        events.AssistantText(t_ms=1600, text="Once there was a dragon.", reply_id=1),
        events.AssistantText(t_ms=3000, text="It lived in a castle.", reply_id=1),
        events.AssistantText(t_ms=3100, text="Um.", reply_id=0),
        events.BargeIn(t_ms=3400, reply_id=1, heard="Once there was a dragon. It lived",
                       cut="in a castle. And it was lonely."),
        events.BargeIn(t_ms=3500, reply_id=0, heard="Um", cut=""),  # a filler cut: nothing to mark
        events.UserText(t_ms=4000, text="No, a cat.", reply_id=2),
        events.AssistantText(t_ms=4600, text="A cat, then.", reply_id=2),
    )
    assert model.texts() == [
        "[00:01] You: Tell me a story.",
        "[00:01] Presence: Once there was a dragon. It lived — interrupted (not said: in a castle. And it was "
        "lonely.)",
        "[00:04] You: No, a cat.",
        "[00:04] Presence: A cat, then.",
    ]
    assert model.lines[1].interrupted and not model.lines[3].interrupted
    # a reply cut before its first sentence showed still gets its line
    model = feed(events.BargeIn(t_ms=2000, reply_id=7, heard="", cut="The answer is 42."))
    assert model.texts() == ["[00:02] Presence: … — interrupted (not said: The answer is 42.)"]


def test_screen_reading_is_its_own_entry_with_the_time_the_frame_was_taken():
    model = feed(
        events.UserText(t_ms=20_000, text="What's on my screen?", reply_id=3),
        events.ObserveRequested(t_ms=20_200, reason="question"),
        events.ScreenRead(t_ms=23_400, text="Your screen shows: Build failed.", frame_t_ms=20_600,
                          window="Terminal"),
        events.ScreenSummary(t_ms=23_400, text="Your screen shows: Build failed."),
        events.AssistantText(t_ms=24_000, text="Your screen shows: Build failed.", reply_id=-2),
        events.AssistantText(t_ms=25_000, text="Want me to look closer?", reply_id=3),
    )
    screen = model.lines[1]
    assert screen.kind == "screen" and screen.t_ms == 20_600 and screen.collapsed
    assert model.texts() == ["[00:20] You: What's on my screen?", "[00:20] Looked at the screen — Terminal ▸",
                             "[00:25] Presence: Want me to look closer?"]  # no Presence line of OCR text
    model.toggle(screen.key)
    assert screen.render() == ("[00:20] Looked at the screen — Terminal ▾\nRead: Your screen shows: Build failed.")
    # a vision model's answer about it is said, and kept with the entry
    model.apply(events.ScreenRead(t_ms=30_000, text="Your screen shows: a chart.", frame_t_ms=29_800, window=""))
    model.apply(events.ScreenSummary(t_ms=31_000, text="A bar chart of sales by month."))
    model.apply(events.AssistantText(t_ms=31_200, text="A bar chart of sales by month.", reply_id=-3))
    model.apply(events.BargeIn(t_ms=31_400, reply_id=-3, heard="A bar", cut="chart of sales by month."))
    last = model.lines[-1]
    assert last.kind == "screen" and last.said == "A bar chart of sales by month." and len(model.lines) == 4
    model.toggle(last.key)
    assert last.render().endswith("Presence said: A bar chart of sales by month.")


def test_announcements_get_lines_and_backchannels_do_not():
    model = feed(
        events.TimerDue(t_ms=60_000, text="Your tea is ready.", due_ms=60_000),
        events.AssistantText(t_ms=60_000, text="Your tea is ready.", reply_id=-1),
        events.Backchannel(t_ms=61_000, text="Mm-hm."),
        events.AssistantText(t_ms=61_000, text="Mm-hm.", reply_id=-2),
    )
    assert model.texts() == ["[01:00] Presence: Your tea is ready."]


def test_role_tags_and_stray_quotes_are_not_shown():
    assert tidy_sentence("A: Paris is the capital.", True) == "Paris is the capital."
    assert tidy_sentence("Answer: 42.", True) == "42."
    assert tidy_sentence('"Paris is the capital."', True) == "Paris is the capital."
    assert tidy_sentence('"Paris is the capital.', True) == "Paris is the capital."
    assert tidy_sentence('It is on the Seine."', False) == "It is on the Seine."
    assert tidy_sentence('He said "hi" to me.', False) == 'He said "hi" to me.'
    assert tidy_sentence("It's Paris.", True) == "It's Paris."
    assert tidy_sentence("A: b", False) == "A: b"  # only a reply's first sentence has a role tag
    model = feed(events.AssistantText(t_ms=0, text='"A: Paris.', reply_id=1),
                 events.AssistantText(t_ms=0, text='It is big."', reply_id=1))
    assert model.texts() == ["[00:00] Presence: Paris. It is big."]
