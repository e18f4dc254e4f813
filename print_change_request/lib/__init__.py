"""Plain-Python building blocks of the addon (no ORM): easy to read and to test."""
