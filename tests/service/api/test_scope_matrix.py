"""Every admin x every account and request of a generated province: list, view, decide, change and
cancel are allowed exactly when the target is in the admin's scope, and 404 otherwise.

Scope, from the seed: the province admins (省发展改革委, 省工改办) manage provincial-department accounts
and every city admin; a city admin manages the approver accounts of its city, counties included.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from models.accounts import Account, AccountStatus, AdminPost, Role
from models.base import db
from models.requests import PermissionItem, RequestKind, RequestStatus, ReviewRequest
from tests.factories import login, make_account

ADMIN_CITIES = ("430100", "430200", "430300")
# (label, org code) of approver accounts: provincial, city-level and county-level departments.
APPROVER_ORGS = (
    ("prov-drc", "drc"),
    ("prov-housing", "housing"),
    ("cs-city", "430100-housing"),
    ("cs-furong", "430102-drc"),
    ("cs-liuyang", "430181-natural_resources"),
    ("zz-city", "430200-drc"),
    ("zz-county", "430223-housing"),
    ("xt-city", "430300-ecology"),
    ("hy-city", "430400-drc"),  # a city whose admins are not in the matrix: nobody but nobody
    ("xx-county", "433123-housing"),
)


@dataclass(frozen=True)
class Target:
    label: str
    account_id: int
    role: Role
    org_code: str | None
    city: str | None


def expected_in_scope(admin_role: Role, admin_city: str | None, target: Target) -> bool:
    if admin_role is Role.PROVINCE_ADMIN:
        return target.role is Role.CITY_ADMIN or (
            target.role is Role.APPROVER and "-" not in (target.org_code or "-")
        )
    return target.role is Role.APPROVER and (target.org_code or "").startswith(admin_city[:4])


@pytest.fixture
def province(app):
    """Admins (with bearer headers) and targets: approvers everywhere, plus the city admins themselves."""
    with app.app_context():
        admins = [
            (make_account(role=Role.PROVINCE_ADMIN, post=AdminPost.FGW, org_code="drc"), None),
            (
                make_account(role=Role.PROVINCE_ADMIN, post=AdminPost.GONGAIBAN, org_code="reform_office"),
                None,
            ),
        ]
        for city in ADMIN_CITIES:
            admins += [(make_account(role=Role.CITY_ADMIN, city=city), city) for _ in range(2)]
        targets = [
            Target(label, make_account(org_code=code).id, Role.APPROVER, code, None)
            for label, code in APPROVER_ORGS
        ]
        targets += [
            Target(f"city-admin-{a.username}", a.id, Role.CITY_ADMIN, None, city)
            for a, city in admins
            if city
        ]
        targets.append(
            Target(
                "support-staff",
                make_account(role=Role.SUPPORT, org_code=None).id,
                Role.SUPPORT,
                None,
                None,
            )
        )
        admin_rows = [(a.id, a.role, city, a.username) for a, city in admins]
    client = app.test_client()
    return client, [(aid, role, city, login(client, name)) for aid, role, city, name in admin_rows], targets


def add_permission_request(account_id: int) -> int:
    request = ReviewRequest(kind=RequestKind.PERMISSION, account_id=account_id, submitted_by_id=account_id)
    request.items = [PermissionItem(matter_code="M001", acceptor=True)]
    db.session.add(request)
    db.session.commit()
    return request.id


def clone(target: Target) -> int:
    """A fresh account in the same place as ``target``: cancellation is destructive."""
    return make_account(role=target.role, org_code=target.org_code, city=target.city, password=None).id


def test_list_and_view_accounts(province):
    client, admins, targets = province
    for _, role, city, headers in admins:
        listed = client.get("/api/v1/admin/accounts?page_size=100", headers=headers).get_json()
        listed_ids = {row["id"] for row in listed["items"]}
        allowed_count = sum(expected_in_scope(role, city, t) for t in targets)
        assert 0 < allowed_count < len(targets)  # every admin sees some and misses some
        assert listed["total"] == allowed_count
        for target in targets:
            allowed = expected_in_scope(role, city, target)
            assert (target.account_id in listed_ids) == allowed, (role, city, target.label)
            status = client.get(f"/api/v1/admin/accounts/{target.account_id}", headers=headers).status_code
            assert status == (200 if allowed else 404), (role, city, target.label, status)


def test_list_view_and_decide_requests(app, province):
    client, admins, targets = province
    with app.app_context():
        standing = {t.account_id: add_permission_request(t.account_id) for t in targets}
    for _, role, city, headers in admins:
        listed = client.get("/api/v1/admin/reviews?kind=permission&page_size=100", headers=headers).get_json()
        listed_accounts = {row["account"]["id"] for row in listed["items"]}
        for target in targets:
            allowed = expected_in_scope(role, city, target)
            assert (target.account_id in listed_accounts) == allowed, (role, city, target.label)
            view = client.get(f"/api/v1/admin/reviews/{standing[target.account_id]}", headers=headers)
            assert view.status_code == (200 if allowed else 404), (role, city, target.label)
            with app.app_context():
                fresh = add_permission_request(target.account_id)
            decision = client.post(
                f"/api/v1/admin/reviews/{fresh}/decision", json={"decision": "approve"}, headers=headers
            )
            assert decision.status_code == (200 if allowed else 404), (role, city, target.label)
            with app.app_context():
                status = db.session.get(ReviewRequest, fresh).status
            assert status is (RequestStatus.APPROVED if allowed else RequestStatus.PENDING)


def test_change_accounts(app, province):
    client, admins, targets = province
    for admin_id, role, city, headers in admins:
        for target in targets:
            allowed = expected_in_scope(role, city, target)
            department = f"科室{admin_id}"
            response = client.patch(
                f"/api/v1/admin/accounts/{target.account_id}",
                json={"department": department, "reason": "岗位调整"},
                headers=headers,
            )
            assert response.status_code == (200 if allowed else 404), (role, city, target.label)
            with app.app_context():
                changed = db.session.get(Account, target.account_id).department == department
            assert changed == allowed


def test_cancel_accounts(app, province):
    client, admins, targets = province
    for _, role, city, headers in admins:
        for target in targets:
            allowed = expected_in_scope(role, city, target)
            with app.app_context():
                victim = clone(target)
            response = client.post(
                f"/api/v1/admin/accounts/{victim}/cancellation", json={"reason": "人员调离"}, headers=headers
            )
            assert response.status_code == (200 if allowed else 404), (role, city, target.label)
            with app.app_context():
                status = db.session.get(Account, victim).status
            assert status is (AccountStatus.CANCELLED if allowed else AccountStatus.ACTIVE)


def test_approvers_and_support_cannot_use_the_admin_api(app, client):
    with app.app_context():
        approver = make_account(org_code="430100-housing").username
        support = make_account(role=Role.SUPPORT, org_code=None).username
    for username in (approver, support):
        headers = login(client, username)
        assert client.get("/api/v1/admin/accounts", headers=headers).status_code == 403
        assert client.get("/api/v1/admin/reviews", headers=headers).status_code == 403


def test_a_city_admin_cannot_transfer_an_account_out_of_its_city(app, client):
    from tests.factories import org

    with app.app_context():
        make_account(role=Role.CITY_ADMIN, city="430100", username="csadmin")
        target = make_account(org_code="430102-drc").id
        elsewhere = org("430200-drc").id
    headers = login(client, "csadmin")
    response = client.patch(
        f"/api/v1/admin/accounts/{target}",
        json={"organisation_id": elsewhere, "reason": "调动"},
        headers=headers,
    )
    assert response.status_code == 422 and response.get_json()["reason"] == "organisation_out_of_scope"
