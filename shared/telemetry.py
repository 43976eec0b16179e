"""FastAPI's built-in OpenTelemetry, kept off in every app of tinbao.

Its spans would carry request paths (tracking codes) and timings to whatever exporter the
environment configures, and its per-request checks cost CPU on the hot paths. tinbao's
metrics are Prometheus (/metrics); its logs are the structured JSON lines of shared.logging.
"""

from fastapi.telemetry import TelemetryConfig

NO_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}
