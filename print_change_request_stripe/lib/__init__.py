"""Plain-Python Stripe calls of the module (no ORM): easy to read and to test."""
