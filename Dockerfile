# The API image used by docker-compose.yml. Neo4j runs in its own container.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    GRAPH_LINEAGE_SCHEMA_DIR=/app/schema

WORKDIR /app
COPY pyproject.toml README.md ./
COPY graph_lineage ./graph_lineage
COPY api ./api
COPY schema ./schema
RUN pip install --no-cache-dir . && useradd --system --uid 10001 lineage
USER lineage

EXPOSE 8000
# Wait until Neo4j answers (compose also waits for its health check), migrate, then serve.
CMD ["sh", "-c", "graph-lineage migrate --wait 120 && exec graph-lineage serve"]
