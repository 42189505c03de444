"""The schedule REST API (DRF), mounted by the host under ``/api/v1/``."""
