"""Authentication: bearer sessions, login methods, certificate checks."""
