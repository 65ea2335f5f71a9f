"""Alembic migrations of the server's database (run by ``streetwatch server migrate``)."""
