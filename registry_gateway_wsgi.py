"""WSGI entry point of the registry gateway (app/registry_gateway.py), for gunicorn:

    gunicorn -c deploy/gunicorn.conf.py --bind 127.0.0.1:8081 --workers 1 registry_gateway_wsgi:app

(deploy/emhana-registry-gateway.service). Its settings are the app's (instance/config.py, DATABASE_URL,
EMHANA_*), so it serves the same database; clients must send REGISTRY_GATEWAY_TOKEN (or
EMHANA_REGISTRY_GATEWAY_TOKEN), without which it refuses to start.
"""

import os

from app import create_app
from app.registry_gateway import create_gateway_app

settings = dict(create_app().config)
if os.environ.get("REGISTRY_GATEWAY_TOKEN"):
    settings["REGISTRY_GATEWAY_TOKEN"] = os.environ["REGISTRY_GATEWAY_TOKEN"]
app = create_gateway_app(settings)
