"""Real-person verification (实名实人认证): attempts, their one lifecycle, stored uploads, the engine
seam, the RQ job and its queue, reason messages, and support's tools."""
