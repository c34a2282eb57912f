"""The web hall's reads (办事大厅), for service clients: account records, verification states, lookup
and a batch. GETs carry strong ETags (If-None-Match -> 304) and ``Cache-Control: private, no-cache``."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

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

blp = Blueprint(
    "hall", __name__, url_prefix="/api/v1", description="办事大厅: 账号记录与认证状态(服务客户端)"
)


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
    @blp.etag
    @blp.response(200, AccountRecordSchema)
    @revalidate
    def get(self, account_id: int) -> records.AccountRecord:
        """One account as the hall shows it: status, review, verification, grants"""
        return records.account_record(g.client.regions, account_id)


@blp.route("/accounts/<int:account_id>/verification-status")
class AccountVerificationState(MethodView):
    @client_required("verifications:read")
    @blp.etag
    @blp.response(200, VerificationStateSchema)
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
