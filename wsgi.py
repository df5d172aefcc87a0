"""WSGI entry point: `gunicorn wsgi:app`."""

import gc

from tumorboard import create_app

app = create_app()
# What start-up made lives as long as the process: frozen, it is no longer walked by every full collection (a report
# that reads 15,000 rows triggers some; they took 60-90 ms each, half the report's requests, before this).
gc.freeze()
