"""How long the texts written to and by the customer may be, in characters: what the
customer reads must stay readable, and the records small."""

#: A message to the customer (a request for change) or from the customer (their answer).
MESSAGE_MAX_LENGTH = 5000
#: A note on a file or on the job tickets of a request for change.
NOTE_MAX_LENGTH = 1000
