"""gunicorn's settings for evalapp in production: see docs/deploy.md.

    gunicorn --config gunicorn.conf.py        # from the repository's folder, as the systemd unit does

gunicorn also reads this file by itself when started from this folder. The settings come from the
environment file the systemd unit loads (docs/deploy/evalapp.env.example); any setting here can be
changed without editing the file through GUNICORN_CMD_ARGS (for example ``--threads 8``), whose
values win over these.

The workloads these choices are made for: pages for respondents and organisers that answer in
well under 2 s, and small exports downloaded at once; long work (large exports, backups, emails,
recounts) runs as background jobs in `flask --app evalapp worker`, not here.
"""
import os

#: The application: evalapp's factory.
wsgi_app = "evalapp:create_app()"

# A production server must share one SECRET_KEY between its workers and machines: without it, each
# machine would sign sessions with its own instance/secret_key (organisers logged out at random
# behind a load balancer), and workers starting together could read that file before it is written.
# Missing, it is almost always the environment file that was not loaded: refuse to start.
if not os.environ.get("SECRET_KEY"):
    raise SystemExit("evalapp: SECRET_KEY is not set. Set it in the environment file (docs/deploy.md), "
                     "the same on every machine, for example to the output of: "
                     "python3 -c 'import secrets; print(secrets.token_hex(32))'")

# --- Where it listens --------------------------------------------------------------------------
# nginx on the same machine is the only client: gunicorn listens on the loopback interface, so that
# no one reaches it past nginx to forge the X-Forwarded-* headers that PROXY_COUNT=1 trusts.
# BIND takes any gunicorn address (host:port, unix:/path).
bind = [os.environ.get("BIND") or "127.0.0.1:8000"]


# --- Processes and threads ----------------------------------------------------------------------
def _cpus() -> int:
    """The CPUs this process may run on (a container's or a systemd CPUAffinity's, not the host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# One process per CPU, at least two so that one restarting (max_requests, a crash) never leaves the
# site without a process. Not the "2 × CPUs + 1" of sync workers: the threads below do the waiting
# on PostgreSQL that extra processes would do, for less memory (each process loads Flask,
# SQLAlchemy and Plotly: about 110 MB). WEB_CONCURRENCY (gunicorn's usual name) sets the number.
workers = int(os.environ.get("WEB_CONCURRENCY") or 0) or max(2, _cpus())

# gthread, not sync. A sync process serves one request at a time: in issue 13, two sync workers busy
# with long requests stopped the whole site, /healthz included, and the timeout below killed a
# worker in the middle of an export, whose file ended on a row boundary and looked complete. With
# threads, a process busy with a slow request still answers the others; and the timeout no longer
# cuts requests (see timeout). Not gevent or eventlet: evalapp and psycopg are plain blocking code,
# there are no long-lived connections (websockets, long polling) to hold, and nginx in front
# absorbs slow clients.
worker_class = "gthread"

# 4 requests at once per process. More would not go faster: Python runs one thread at a time per
# process, and the CPU-bound parts (drawing pages, Plotly figures, CSV) queue behind each other.
# Each thread holds at most one PostgreSQL connection during its request, and SQLAlchemy keeps up
# to 5 per process (pool_size, its default): 4 threads never wait for one, nor open extra ones.
# So the web uses at most workers × threads connections per machine (8 on 2 CPUs); count them
# against PostgreSQL's max_connections (100 by default) with the job workers' and the commands'.
threads = 4


# --- Time limits ----------------------------------------------------------------------------------
# With gthread, the timeout is how long the process's main loop may stay silent before gunicorn
# kills and replaces the process: a process hung as a whole, not a slow request. A request in a
# thread is never cut by it; what bounds a request is nginx (proxy_read_timeout, between two
# reads) and the move of long work to jobs. gunicorn's default of 30 s is kept.
timeout = 30

# On a stop or reload (SIGTERM, SIGHUP, max_requests), a process stops taking requests and has this
# long to finish those it has before it is killed. Requests here take well under 2 s and exports
# that stay immediate (up to EXPORT_JOB_THRESHOLD responses) a few seconds; nginx takes responses
# as fast as gunicorn writes them (proxy_buffering), so slow clients do not stretch them. 30 s is
# ample and bounds how long a reload or a restart can take (the units' TimeoutStopSec is above).
graceful_timeout = 30

# Replace a process after about 5,000 requests, at random between 5,000 and 5,500 so that processes
# are not all replaced at once: a guard against memory that grows with time (fragmentation after
# large pages), not a fix for a known leak. The replacement takes under 2 s to load the app, during
# which the other processes serve; at 20 requests a second that is once every few minutes per
# process.
max_requests = 5000
max_requests_jitter = 500

# The heartbeat file each process touches every second, in memory: on a disk-backed /tmp, a disk
# busy with a backup could delay it past the timeout and get a healthy process killed.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None


# --- Behind nginx -------------------------------------------------------------------------------
# The application alone reads the X-Forwarded-* headers, with PROXY_COUNT (werkzeug's ProxyFix): one
# setting for the client's address, the scheme and the host. gunicorn trusts no address to set
# them, so it never decides on its own that a request is HTTPS (it would otherwise, for the
# 127.0.0.1 of nginx, by default), and a unix socket changes nothing.
forwarded_allow_ips = ""
secure_scheme_headers = {}
forwarder_headers = ""


# --- Start ---------------------------------------------------------------------------------------
# The application is loaded by each process, not once before they are forked (preload_app), so that
# `systemctl reload` (SIGHUP) starts processes on the new code after an upgrade while the old ones
# finish their requests: no request refused. create_app() opens no database connection and runs no
# migration (`flask db upgrade` is a separate step, done before the reload), so nothing is lost
# by loading it in each process but a second or two of CPU; and with SECRET_KEY set (above), no
# process writes instance/secret_key.
preload_app = False

# gunicorn 25+ opens a control socket in $HOME/.gunicorn by default; systemd's signals (reload,
# stop) are the controls used here, and several gunicorns of one user would share that path.
control_socket_disable = True


# --- Logs ----------------------------------------------------------------------------------------
# Both to the standard streams, which systemd sends to the journal (journalctl -u evalapp-web).
accesslog = "-"
errorlog = "-"
loglevel = "info"
# The combined log format, then the time taken. Invitation tokens never appear: the application
# installs a filter on gunicorn's access logger (evalapp/logs.py) that writes /r/<token> instead,
# in each process as it loads the app. The address (%(h)s) is the client's as PROXY_COUNT reads it
# from X-Forwarded-For, since gunicorn logs after the application has set it.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
