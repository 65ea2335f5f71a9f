"""Helpers behind the test fixtures: real services (Mosquitto, PostgreSQL, the embedded
broker), an MQTT test client and one valid example of every contract message.

Test modules import them as ``support.<module>`` (pytest puts ``tests/`` on ``sys.path``
because ``tests/`` has no ``__init__.py``); the fixtures in ``tests/conftest.py`` stay thin.
"""
