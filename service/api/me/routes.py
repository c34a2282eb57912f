from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from models.accounts import VerificationStatus
from service.api.schemas import AccountSchema, GrantSchema
from service.auth.guard import login_required
from service.permissions import grants_of

blp = Blueprint("me", __name__, description="当前账号")


class MeSchema(AccountSchema):
    needs_verification = fields.Function(
        lambda a: a.verification_status is not VerificationStatus.REAL_PERSON
    )
    grants = fields.Function(lambda a: GrantSchema(many=True).dump(grants_of(a.id)))


@blp.route("/me")
class Me(MethodView):
    @login_required(scope="verification")
    @blp.response(200, MeSchema)
    def get(self):
        """The signed-in account's profile and grants"""
        return g.account
