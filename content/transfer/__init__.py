"""Content as files: export the site's items and media as Markdown, import them back.

``format`` reads and writes one file, ``exporter`` writes a site, ``reader`` scans a
folder, ``checks`` validates what it found against the site, ``importer`` creates it.
The file format is described in ``docs/content-files.md``.
"""
