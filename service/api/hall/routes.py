"""The web hall's reads (办事大厅), for service clients: account records, verification states, lookup
and a batch. GETs carry strong ETags (If-None-Match -> 304) and ``Cache-Control: private, no-cache``.

The polled reads (a record, a verification state) make their ETag from the record's version (one
query of index lookups, scope included) and answer 304 before the record is read; the lookup's ETag
is a hash of its answer.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Sequence
from typing import Any

from flask import Response, g, request
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_smorest.exceptions import NotModified
from werkzeug.http import quote_etag

from service.api.base import revalidate
from service.api.hall.schemas import (
    AccountRecordSchema,
    BatchInSchema,
    BatchSchema,
    LookupArgsSchema,
    LookupSchema,
    VerificationStateSchema,
)
from service.clients.guard import client_required
from service.hall import records


class HallBlueprint(Blueprint):  # type: ignore[misc]  # flask-smorest is untyped
    """flask-smorest's Blueprint, with If-None-Match compared weakly as RFC 9110 (13.1.2) says.

    flask-smorest matches strong tags only; a proxy that compresses an answer turns its ETag weak
    (nginx's gzip sends ``W/"..."``), and a poller behind it would then get every answer in full.
    """

    def _check_not_modified(self, etag: str) -> None:
        if request.method in self.METHODS_CHECKING_NOT_MODIFIED and unchanged(etag):
            raise _NotModified(etag)


class _NotModified(NotModified):  # type: ignore[misc]
    """A 304 that carries the current ETag, as RFC 9110 (15.4.5) asks (flask-smorest's sends none)."""

    def __init__(self, etag: str) -> None:
        super().__init__()
        self.etag = etag

    def get_headers(self, *args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        return [("ETag", quote_etag(self.etag))]


def unchanged(etag: str) -> bool:
    """Whether the request's If-None-Match holds ``etag`` (weak comparison, ``*`` included)."""
    return request.if_none_match.contains_weak(etag)


blp = HallBlueprint(
    "hall", __name__, url_prefix="/api/v1", description="办事大厅: 账号记录与认证状态(服务客户端)"
)

#: Part of every version-made ETag: raise it when what an answer shows changes shape or wording (a
#: new field, a reason's message), so that pollers holding the old answer fetch the new one.
REPRESENTATION = "1"
_CACHE_CONTROL = "private, no-cache"
_ETAG_DOC = {"description": "强 ETag: 以 If-None-Match 携带, 未变化时回答 304", "schema": {"type": "string"}}
_IF_NONE_MATCH = {"in": "header", "name": "If-None-Match", "schema": {"type": "string"}, "required": False}


def versioned(
    kind: str, version_of: Callable[[Sequence[str], int], str]
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A strong ETag made from the account's version (``records.*_version``: one query, scope
    included) instead of from the answer, so that a client holding it gets a bodiless 304 before the
    answer is read or serialised: the cost of a poll that changed nothing. Goes inside
    ``client_required``."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapped(*args: Any, account_id: int, **kwargs: Any) -> Any:
            version = f"{kind}:{REPRESENTATION}:{version_of(g.client.regions, account_id)}"
            etag = hashlib.sha256(version.encode()).hexdigest()[:40]
            if unchanged(etag):
                return Response(status=304, headers={"ETag": f'"{etag}"', "Cache-Control": _CACHE_CONTROL})
            response: Response = view(*args, account_id=account_id, **kwargs)
            response.set_etag(etag)
            return response

        documented: Callable[..., Any] = blp.doc(parameters=[_IF_NONE_MATCH])(
            blp.alt_response(304, description="未变化 (If-None-Match 与当前 ETag 相同), 无正文")(wrapped)
        )
        return documented

    return decorator


@blp.route("/accounts")
class AccountLookup(MethodView):
    @client_required("accounts:read")
    @blp.etag
    @blp.arguments(LookupArgsSchema, location="query")
    @blp.response(200, LookupSchema)
    @revalidate
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Find accounts by user name, phone or full ID number (matched by its keyed hash)"""
        return {"items": records.lookup(g.client.regions, **args)}


@blp.route("/accounts/<int:account_id>")
class AccountRecord(MethodView):
    @client_required("accounts:read")
    @versioned("record", records.record_version)
    @blp.response(200, AccountRecordSchema, headers={"ETag": _ETAG_DOC})
    @revalidate
    def get(self, account_id: int) -> records.AccountRecord:
        """One account as the hall shows it: status, review, verification, grants"""
        return records.account_record(g.client.regions, account_id)


@blp.route("/accounts/<int:account_id>/verification-status")
class AccountVerificationState(MethodView):
    @client_required("verifications:read")
    @versioned("state", records.state_version)
    @blp.response(200, VerificationStateSchema, headers={"ETag": _ETAG_DOC})
    @revalidate
    def get(self, account_id: int) -> records.VerificationState:
        """One account's verification state and its latest attempt's, with reasons; never scores"""
        return records.verification_state(g.client.regions, account_id)


@blp.route("/verification-status/batch")
class BatchVerificationState(MethodView):
    @client_required("verifications:read")
    @blp.arguments(BatchInSchema)
    @blp.response(200, BatchSchema)
    def post(self, args: dict[str, Any]) -> dict[str, Any]:
        """The verification states of up to 500 accounts at once"""
        states = records.batch_states(g.client.regions, args["account_ids"])
        found = {s.account.id for s in states}
        return {"items": states, "missing": sorted(set(args["account_ids"]) - found)}
