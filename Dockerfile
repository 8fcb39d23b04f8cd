# The textanalysis server image:
#   docker build -t textanalysis:0.1.0 .
# Build stage: the release binary, built by the same command that
# scripts/check-k8s.sh runs in CI on this build context (so a change that
# breaks it fails the tests, not the image build). The built-in news model is
# compiled into the binary (models/news.tam).
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --locked --release --bin textanalysis

# Run stage: distroless (glibc and CA certificates, no shell, no package
# manager), as the numeric non-root user the Kubernetes manifests name
# (runAsUser 65532). Nothing is written at run time, so the root filesystem can
# be read-only.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/textanalysis /usr/local/bin/textanalysis
USER 65532:65532
# gRPC (health, reflection, the service) and Prometheus metrics.
EXPOSE 50051 9090
ENTRYPOINT ["/usr/local/bin/textanalysis", "serve"]
# Listen on every interface (the binary's own default is loopback only, which
# a container cannot be reached on), metrics on, JSON logs. Kubernetes' `args`
# replace these; scripts/check-k8s.sh starts the binary with them.
CMD ["--listen=0.0.0.0:50051", "--metrics-listen=0.0.0.0:9090", "--log-format=json"]
