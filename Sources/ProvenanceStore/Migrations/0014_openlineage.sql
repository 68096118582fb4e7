-- OpenLineage events as they arrived, and the indexes that map OpenLineage's names (jobs and datasets, each named
-- by a namespace and a name) onto the graph's contexts and artifacts.
--
-- An event is kept whole (facets nobody here understands included) under the SHA-256 of its canonical encoding,
-- so sending it again is recognised and writes nothing: replays make no duplicates. Old events go after the
-- retention the server is given (--retain-openlineage-events); the lineage they wrote stays.
CREATE TABLE openlineage_events (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    digest       text NOT NULL,
    namespace_id bigint NOT NULL REFERENCES namespaces(id),
    kind         text NOT NULL CHECK (kind IN ('run', 'dataset', 'job')),
    event_type   text,
    run_id       uuid,
    event_time   timestamptz NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    body         jsonb NOT NULL,
    CONSTRAINT openlineage_events_digest_key UNIQUE (digest)
);
CREATE INDEX openlineage_events_received_idx ON openlineage_events (received_at);
CREATE INDEX openlineage_events_run_idx ON openlineage_events (run_id) WHERE run_id IS NOT NULL;

-- A job: its context, and the run whose event came last (Marquez's latestRun).
CREATE TABLE openlineage_jobs (
    context_id    bigint PRIMARY KEY REFERENCES contexts(id) ON DELETE CASCADE,
    namespace_id  bigint NOT NULL REFERENCES namespaces(id),
    job_namespace text NOT NULL,
    name          text NOT NULL,
    latest_run_id bigint REFERENCES executions(id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT openlineage_jobs_name_key UNIQUE (job_namespace, name)
);
CREATE INDEX openlineage_jobs_namespace_idx ON openlineage_jobs (namespace_id, job_namespace, name);

-- A dataset of one Provenance namespace, and the artifact of its current version.
CREATE TABLE openlineage_datasets (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    namespace_id        bigint NOT NULL REFERENCES namespaces(id),
    dataset_namespace   text NOT NULL,
    name                text NOT NULL,
    current_artifact_id bigint REFERENCES artifacts(id) ON DELETE SET NULL,
    current_version     text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT openlineage_datasets_name_key UNIQUE (namespace_id, dataset_namespace, name)
);
CREATE INDEX openlineage_datasets_name_idx ON openlineage_datasets (dataset_namespace, name);

-- Which datasets each job reads (direction 0) and writes (1), over all its runs and JobEvents: the job-level
-- graph Marquez's lineage read walks, kept as the events arrive so a walk never aggregates runs.
CREATE TABLE openlineage_edges (
    job_id     bigint NOT NULL REFERENCES openlineage_jobs(context_id) ON DELETE CASCADE,
    dataset_id bigint NOT NULL REFERENCES openlineage_datasets(id) ON DELETE CASCADE,
    direction  smallint NOT NULL CHECK (direction IN (0, 1)),
    CONSTRAINT openlineage_edges_pkey PRIMARY KEY (job_id, direction, dataset_id)
);
CREATE INDEX openlineage_edges_dataset_idx ON openlineage_edges (dataset_id, direction, job_id);
