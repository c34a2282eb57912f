from __future__ import annotations

from flask import g
from flask.views import MethodView

from service.accounts import reviews
from service.api.admin.routes import blp
from service.api.admin.schemas import DecisionSchema, ReviewArgsSchema, ReviewPageSchema, ReviewSchema
from service.api.base import paginate
from service.auth.guard import admin_required


@blp.route("/reviews")
class Reviews(MethodView):
    @admin_required
    @blp.arguments(ReviewArgsSchema, location="query")
    @blp.response(200, ReviewPageSchema)
    def get(self, args):
        """Requests waiting for this admin (待办审核), within its scope only"""
        query = reviews.list_query(g.account, args["kind"], args["status"])
        return paginate(query, args["page"], args["page_size"])


@blp.route("/reviews/<int:review_id>")
class Review(MethodView):
    @admin_required
    @blp.response(200, ReviewSchema)
    def get(self, review_id):
        """One request in scope"""
        return reviews.get_review(g.account, review_id)


@blp.route("/reviews/<int:review_id>/decision")
class Decision(MethodView):
    @admin_required
    @blp.arguments(DecisionSchema)
    @blp.response(200, ReviewSchema)
    def post(self, args, review_id):
        """Approve or reject a request (a rejection needs a reason)"""
        return reviews.decide(g.account, review_id, args["decision"], args["reason"])
