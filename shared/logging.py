"""Structured JSON logs; tip text, contact details and secrets never go in them."""

import logging
import sys
from datetime import UTC, datetime

import orjson

from shared.errors import without_query_values

# Only these extra fields are written: an allow-list keeps personal data out by default.
_EXTRA_FIELDS = (
    "service",
    "event_id",
    "case_id",
    "tip_id",
    "tracking_code",
    "consumer",
    "topic",
    "error",
    "reason",
    "status",
    "method",
    "path",
    "duration_ms",
    "count",
)


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object per line."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "service": self._service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in _EXTRA_FIELDS:
            value = record.__dict__.get(field)
            if value is not None:
                entry[field] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        # A database driver's error can quote a query's value (tip text, a number).
        for name, value in entry.items():
            if isinstance(value, str):
                entry[name] = without_query_values(value)
        return orjson.dumps(entry, default=str).decode()


def configure_logging(service: str, level: str = "INFO") -> None:
    """Send every log record to stderr as JSON."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("aiokafka", "kafka", "alembic.runtime.plugins", "alembic.runtime.migration"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # uvicorn's access log would carry client IPs: the design stores none, so it is off.
    logging.getLogger("uvicorn.access").disabled = True
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
