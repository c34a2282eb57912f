"""Background jobs on RQ: the queue carries work, the database keeps the outcome."""
