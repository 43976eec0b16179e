from datetime import UTC, datetime

import orjson
import pytest

from shared.contracts import CaseAssignedV1, CloudEvent, TipReceivedV1


def _tip(**overrides: object) -> TipReceivedV1:
    fields = {
        "tip_id": "5d3c1b9e-0000-4000-8000-000000000001",
        "tracking_code": "TB-ACDE-FGHJ",
        "kind": "feedback",
        "channel": "api",
        "text": "Quán cà phê đèn mờ ở ngõ 12 có người môi giới",
        "received_at": datetime(2026, 11, 22, 8, 0, tzinfo=UTC),
    }
    return TipReceivedV1.model_validate({**fields, **overrides})


def test_envelope_round_trip_keeps_vietnamese_text_and_cloudevents_attributes() -> None:
    envelope = CloudEvent.wrap(_tip(), source="/tinbao/intake")
    parsed = CloudEvent.from_bytes(envelope.to_bytes())
    assert parsed.specversion == "1.0"
    assert parsed.type == "vn.tinbao.tip.received.v1"
    assert parsed.subject == "TB-ACDE-FGHJ"
    assert parsed.id == envelope.id
    assert TipReceivedV1.model_validate(parsed.data).text.startswith("Quán cà phê đèn mờ")


def test_consumers_tolerate_fields_added_later() -> None:
    raw = orjson.loads(CloudEvent.wrap(_tip(), source="/x").to_bytes())
    raw["data"]["added_in_a_later_release"] = 42
    raw["extension_attribute"] = "x"
    parsed = CloudEvent.model_validate(raw)
    assert TipReceivedV1.model_validate(parsed.data).tracking_code == "TB-ACDE-FGHJ"


def test_unknown_kind_is_rejected() -> None:
    with pytest.raises(ValueError):
        _tip(kind="gossip")


def test_events_are_keyed_by_their_aggregate() -> None:
    assert _tip().partition_key() == "TB-ACDE-FGHJ"
    assigned = CaseAssignedV1(
        case_id="c1",
        tip_id="t1",
        tracking_code="TB-ACDE-FGHJ",
        kind="feedback",
        ward_code=None,
        ward_name=None,
        unit="police",
        priority="normal",
        category="unclassified",
        received_at=datetime.now(UTC),
        assigned_at=datetime.now(UTC),
    )
    assert assigned.partition_key() == "c1"
