"""Streaming import of the Amazon Reviews 2023 files.

The modules `paths`, `formats`, `parsing`, `values`, `json_values`,
`chunks` and `batches` find, read and check the files without Django. The
modules `portable` and `postgres` write batches to the database.
`service.import_paths` runs the steps and returns an `ImportReport` (see
`report`).
"""
