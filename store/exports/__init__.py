"""Quiz-app writers of ``qbank export`` (one module per format; the table is in store/export.py)."""
