"""gunicorn settings for a clinic server: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

Sized for the usual clinic machine, 2 cores and 2 GB: 2 worker processes (one per core) of 4 threads each
(gthread). A request that waits on the national registry (a few seconds at worst, with retries) or renders
a PDF then holds one thread, not a whole worker, so 8 requests are served at once while the CPU is free.
Each worker takes about 125 MB after a load run (bench/booking.py), so two leave most of the 2 GB to
PostgreSQL and the page cache. SMS never wait in a request (the SMS worker sends them, app/services/sms.py).
Behind nginx (deploy/nginx-emhana.conf), which buffers slow clients; gunicorn listens on loopback only.
Override with EMHANA_WORKERS / EMHANA_THREADS in /etc/emhana/env.
"""

import os

bind = os.environ.get("EMHANA_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("EMHANA_WORKERS", 2))
threads = int(os.environ.get("EMHANA_THREADS", 4))
worker_class = "gthread"
timeout = 60  # a PDF render or a registry call with retries stays well below this
graceful_timeout = 30
keepalive = 5  # nginx keeps connections to us open (upstream keepalive)
max_requests = 2000  # recycle workers now and then so a slow leak can never grow without bound
max_requests_jitter = 200
# No control socket (gunicorn >= 25 opens $HOME/.gunicorn/gunicorn.ctl for `gunicornc`): systemd manages the
# processes, and the app and the registry gateway run as the same user, so they would take the same path.
control_socket_disable = True
# The app logs to stderr through its own configuration (app/ops/logs.py); gunicorn's access lines go there
# too, so `journalctl -u emhana` holds both. nginx sends X-Request-ID; it is in both lines.
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms req=%({x-request-id}i)s'
errorlog = "-"
loglevel = "info"
