"""gunicorn settings for a clinic server: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

Sync workers, one per core: the app's requests are short and CPU-bound (templates, ORM), so more processes
than cores only adds memory (about 125 MB each after a load run, see bench/booking.py). Behind a reverse
proxy (nginx) that buffers slow clients; gunicorn itself listens on loopback only.
"""

import multiprocessing
import os

bind = os.environ.get("EMHANA_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("EMHANA_WORKERS", multiprocessing.cpu_count()))
worker_class = "sync"
timeout = 60  # a PDF render or a registry call with retries stays well below this
graceful_timeout = 30
max_requests = 2000  # recycle workers now and then so a slow leak can never grow without bound
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
loglevel = "info"
