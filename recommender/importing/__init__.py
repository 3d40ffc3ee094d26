"""Streaming import of the Amazon Reviews 2023 files.

The modules `formats`, `parsing`, `values`, `chunks` and `batches` read
and check the files without Django. The modules `portable` and `postgres`
write batches to the database. `service.import_paths` runs the steps and
returns an `ImportReport` (see `report`).
"""
