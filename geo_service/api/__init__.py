"""HTTP layer (FastAPI): parse, authorise, call a service, serialise. No SQL or maths here."""

# The directory of prometheus-client's multiprocess mode (read by prometheus-client when it is
# first imported: ``geo-service serve`` sets it before, see api/metrics.py).
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
