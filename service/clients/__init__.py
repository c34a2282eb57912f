"""Service clients (the web hall and other systems): registry, OAuth 2.0 client credentials, the guard."""
