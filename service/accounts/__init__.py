"""The account domain: registration, identity numbers, requests and reviews, permissions, city
admins, admin scopes, suspension and the legacy import."""
