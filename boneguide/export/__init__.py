"""Exports of the guide for offline readers: one PDF (``pdf``) and a zipped offline site (``offline``).

Both build a variant of the main MkDocs configuration in memory (``variant``), so mkdocs.yml stays
the single source of truth and the main site carries none of the print or offline machinery.
"""

# The exports' file names, here and not in pdf.py or offline.py: the link checker accepts links to
# them without loading the exporters (pypdf, Playwright).
PDF_NAME = "bone-nutrient-guide.pdf"
ZIP_NAME = "bone-nutrient-guide-offline.zip"
