"""Plumbing every domain package stands on: config, extensions, the error envelope, HTTP headers,
crypto, rate limits, the job context and the embedded runner. Nothing here knows the domain."""
