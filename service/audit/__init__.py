"""The append-only, hash-chained audit log."""

from service.audit.chain import record, verify_chain

__all__ = ["record", "verify_chain"]
