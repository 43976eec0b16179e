"""The naive design, for comparison: insert the tip, then send_and_wait to Kafka, per request.

Run: python -m bench.naive_app PORT DATABASE_DSN KAFKA_BOOTSTRAP TOPIC
"""

import sys
import uuid
from contextlib import asynccontextmanager

import asyncpg
import orjson
import uvicorn
from aiokafka import AIOKafkaProducer
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse


def build(dsn: str, bootstrap: str, topic: str) -> FastAPI:
    state: dict[str, object] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
        pool = await asyncpg.create_pool(dsn, min_size=4, max_size=20)
        await pool.execute(
            "CREATE SCHEMA IF NOT EXISTS bench; CREATE TABLE IF NOT EXISTS "
            "bench.naive_tips (id uuid primary key, body jsonb not null, "
            "received_at timestamptz not null default now())"
        )
        producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap, acks="all", enable_idempotence=True
        )
        await producer.start()
        state.update(pool=pool, producer=producer)
        yield
        await producer.stop()
        await pool.close()

    app = FastAPI(lifespan=lifespan)

    @app.post("/api/v1/tips")
    async def submit(request: Request) -> JSONResponse:
        body = await request.body()
        tip_id = uuid.uuid4()
        await state["pool"].execute(  # type: ignore[union-attr]
            "INSERT INTO bench.naive_tips (id, body) VALUES ($1, $2)", tip_id, body.decode()
        )
        await state["producer"].send_and_wait(  # type: ignore[union-attr]
            topic,
            orjson.dumps({"id": str(tip_id), "body": body.decode()}),
            key=str(tip_id).encode(),
        )
        return JSONResponse({"tracking_code": str(tip_id)}, status_code=202)

    return app


if __name__ == "__main__":
    port, dsn, bootstrap, topic = sys.argv[1:5]
    uvicorn.run(
        build(dsn, bootstrap, topic),
        host="127.0.0.1",
        port=int(port),
        log_level="error",
        access_log=False,
    )
