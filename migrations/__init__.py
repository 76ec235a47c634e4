"""Alembic migrations for borgerchat's schema (applied by ``borgerchat db upgrade``)."""
