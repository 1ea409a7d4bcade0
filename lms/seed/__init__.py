"""Demo content of the LMS for ``tracing-app init --demo``: one training module in four languages.

The texts are data files under ``training/`` (see docs/lms-seed.md); :mod:`.training` reads
them without a database and :mod:`.install` writes them into the site.
"""
