"""Intake's own metrics."""

from prometheus_client import Counter

TIPS_RECEIVED = Counter(
    "tinbao_intake_tips_received", "Tips registered by intake.", ["channel", "kind"]
)
