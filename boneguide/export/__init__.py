"""Exports of the guide for offline readers: one PDF (``pdf``) and a zipped offline site (``offline``).

Both build a variant of the main MkDocs configuration in memory (``variant``), so mkdocs.yml stays
the single source of truth and the main site carries none of the print or offline machinery.
"""
