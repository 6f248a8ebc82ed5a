"""turn_text.reads_finished: the last words of a transcript decide, not its question mark."""

import pytest

from presence.core.turn_text import reads_finished

UNFINISHED = [
    # prepositions with no free wh-word, whatever Whisper's punctuation
    "What's the best way to get to?", "What's the capital of?", "How far is it from?",
    "Can you tell me the population of?", "I would like to book a table for", "Tell me something interesting about.",
    "What's the weather going to be like in?", "Who wrote the famous book about?", "What's the difference between?",
    "How long does it take to fly from?", "I'm looking for a simple recipe with.", "Is there a good restaurant near?",
    "I would like to plan a trip to.", "I want to", "What happened to?", "Hmm, what's the word for?",
    "Do you know what the capital of?", "What about?", "So what about",
    # articles, possessives
    "Can you tell me about the?", "What's a good gift for my?", "I need to find a.", "How do I reset my?",
    "Who is the?", "What is the boiling point of an?", "Should I water their?",
    # conjunctions and subordinators
    "I need eggs and", "Should I take the bus or?", "I wanted to go running but.", "Can you check whether?",
    "Tell me a joke because.", "I'd like to know if.", "Is it usually warmer in Spain than?", "Remind me that",
    "And then", "Something such as",
    # degree adverbs
    "Is it going to be very?", "Why is the sea so?", "I'm feeling quite.", "Is the water too?", "What's a really?",
    "Which animal is extremely?", "It's really", "That's too",
    # verbs still missing their object
    "Could you remind me?", "Can you tell me?", "Let me know.", "I want.", "I need", "Could you?", "Do you know?",
    "Please remind me.", "Can I?", "I was wondering.", "I think", "I'd love",
    # copulas with no wh-clause to close
    "The thing is", "So what I was thinking is", "My question is.", "The answer is?", "What I really want is.",
    # fillers and thinking aloud
    "Could you remind me, um.", "What's the, uh.", "Um.", "So.", "Let me think.", "Let me see.", "Well, um.",
    "Hmm, let me think.",
    # a subordinate clause with no main clause
    "When I get home.", "If it rains tomorrow.", "Although I like coffee.", "Because my flight got cancelled.",
    "While I'm cooking dinner.", "Since you know a lot about space.", "Where I get from.", "What I want.",
    # open lists and trailing marks
    "I need apples, bananas.", "My favourite animals are cats, dogs.", "Compare Paris, Rome, Berlin.",
    "I need to buy,", "a trip to...", "So what I was thinking is…", "remind me, um,",
]

FINISHED = [
    # stranded prepositions whose wh-word is free
    "What is it made of?", "Where are you from?", "Who are you talking to?", "What is glass made of?",
    "Where does coffee come from?", "What are black holes made of?", "Which country is Lisbon in?",
    "What is the Eiffel Tower made of?", "What are you thinking about?", "What's the weather like?",
    "What does a koala look like?", "What's the meeting about?", "Where is the train going to?",
    "What did the doctor talk about?", "What can you help me with?", "Who did you go with?", "What for?",
    "What kind of music are you into?", "Do you know what it is made of?", "What's it like?",
    "Tell me about the book that you told me about.", "What's going on?", "Where to?", "What's this for?",
    # embedded questions and elliptical copulas
    "Do you know where the nearest pharmacy is?", "Could you remind me what the tallest mountain is?",
    "Could you remind me, um, what the tallest mountain in the world is?", "I wonder how old the universe is.",
    "Can you tell me what the speed of light is?", "Yes, it is.", "Here it is.", "Do you know where it is?",
    # particles and infinitives left out on purpose
    "Can you speak up?", "Please turn the music down.", "Turn it on.", "Hold on.", "Log me in.", "Stand by.",
    "I'd love to.", "I don't want to.", "You don't have to.", "If you like.", "Come in.",
    # words that end turns in some company
    "Yes, I think so.", "Thank you so much.", "I really like that.", "Me too.", "I love it too.", "Really?",
    "Not really.", "Not quite.", "What if?", "For a while.", "Okay then.", "Since when?", "Tell me more about it.",
    "That sounds good to me.", "Can you say that again?", "I don't know which.", "Are you coming too?",
    # plain requests and questions
    "What is the capital of Peru?", "Why is the sky blue?", "Tell me a joke.", "How far away is the moon?",
    "Is a tomato a fruit or a vegetable?", "When is the next train?", "What do pandas eat?",
    "How many legs does a spider have?", "Tell me a joke, please.", "Yes, please.", "No, thanks.",
    "When I get home, remind me to water the plants.", "If it rains tomorrow, should I cancel the picnic?",
    "Because my flight got cancelled I need a hotel.", "I need apples, bananas and oranges.",
    "What's the weather like in London, England?", "Let me think about it.", "Wait, stop. Make it about a cat instead.",
    "No wait, tell me about a pirate instead.", "Hello, how are you?", "What is twelve plus thirty?",
    "What you see is what you get.", "Where do I get it from?", "What I want is a pizza.",
]


@pytest.mark.parametrize("text", UNFINISHED)
def test_reads_unfinished(text):
    assert reads_finished(text) is False


@pytest.mark.parametrize("text", FINISHED)
def test_reads_finished(text):
    assert reads_finished(text) is True


def test_no_clue_without_words_or_closing_mark():
    assert reads_finished("") is None
    assert reads_finished("   ") is None
    assert reads_finished("the weather in Paris") is None


def test_the_question_mark_is_not_evidence():
    """Whisper's '?' after a thinking pause does not make a preposition's object appear."""
    assert reads_finished("How far is it from?") is False
    assert reads_finished("How far is it from here?") is True
