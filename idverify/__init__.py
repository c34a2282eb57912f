"""Identity verification engine: ID-card OCR and checks, face match, active liveness.

A pure library: bytes or arrays in, frozen dataclasses out. It never imports Flask or the
database, never fetches URLs and never downloads models at run time.
"""
