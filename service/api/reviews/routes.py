"""The review queue (待办审核): new, change, cancel and permission requests within the admin's scope."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from models.requests import ReviewRequest
from service.accounts import reviews
from service.api.base import paginate
from service.api.reviews.schemas import ReviewArgsSchema, ReviewPageSchema, ReviewSchema
from service.api.schemas import DecisionSchema
from service.auth.guard import admin_required

blp = Blueprint("reviews", __name__, url_prefix="/api/v1/admin", description="管理员: 待办审核")


@blp.route("/reviews")
class Reviews(MethodView):
    @admin_required
    @blp.arguments(ReviewArgsSchema, location="query")
    @blp.response(200, ReviewPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Requests waiting for this admin (待办审核), within its scope only"""
        query = reviews.list_query(g.account, args["kind"], args["status"])
        return paginate(query, args["page"], args["page_size"])


@blp.route("/reviews/<int:review_id>")
class Review(MethodView):
    @admin_required
    @blp.response(200, ReviewSchema)
    def get(self, review_id: int) -> ReviewRequest:
        """One request in scope"""
        return reviews.get_review(g.account, review_id)


@blp.route("/reviews/<int:review_id>/decision")
class Decision(MethodView):
    @admin_required
    @blp.arguments(DecisionSchema)
    @blp.response(200, ReviewSchema)
    def post(self, args: dict[str, Any], review_id: int) -> ReviewRequest:
        """Approve or reject a request (a rejection needs a reason)"""
        return reviews.decide(g.account, review_id, args["decision"], args["reason"])
