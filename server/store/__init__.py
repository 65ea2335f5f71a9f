"""The database: SQLAlchemy 2 tables, engine set-up, migrations and dialect helpers.

Only the service layer (``server.services``) uses it; the MQTT consumer and the API never
write rows themselves.
"""

import logging

logging.getLogger("alembic").setLevel(logging.WARNING)  # alembic logs at INFO on import
