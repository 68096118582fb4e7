# Builds the provenance server. docker-compose.yml runs it next to PostgreSQL 16.
FROM swift:6.3-noble AS build
WORKDIR /src
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --static-swift-stdlib --product provenance \
    && mkdir /out \
    && cp "$(swift build -c release --show-bin-path)/provenance" /out/ \
    && cp -R "$(swift build -c release --show-bin-path)/provenance_ProvenanceStore.resources" /out/

FROM ubuntu:noble
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 1000 provenance
WORKDIR /app
# The migrations travel in the resource bundle next to the binary.
COPY --from=build /out/ /app/
USER provenance
ENV PROVENANCE_HTTP_HOST=0.0.0.0 PROVENANCE_HTTP_PORT=8080 PROVENANCE_GRPC_HOST=0.0.0.0 PROVENANCE_GRPC_PORT=8081
EXPOSE 8080 8081
HEALTHCHECK --interval=5s --timeout=3s --retries=10 CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1
ENTRYPOINT ["/app/provenance", "serve"]
