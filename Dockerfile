# Groundline app image: the chat UI (and, later, the ingestion API) on port 8000.
FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends build-essential cmake curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# CPU torch first, so nothing pulls the CUDA build.
RUN pip install --no-cache-dir torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
COPY pyproject.toml README.md ./
COPY groundline groundline
COPY ingest ingest
COPY bot bot
COPY eval eval
COPY prompts prompts
COPY examples examples
RUN pip install --no-cache-dir .
ENV GROUNDLINE_DATA_DIR=/data
VOLUME /data
EXPOSE 8000
CMD ["groundline", "serve", "--host", "0.0.0.0", "--port", "8000"]
