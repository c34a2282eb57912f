"""The event log every status change writes into (the transactional outbox), and its readers."""
