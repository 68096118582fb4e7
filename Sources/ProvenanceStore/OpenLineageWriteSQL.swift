import PostgresNIO
import ProvenanceCore

extension PostgresStore {
    /// The artifact name (and external id) of a dataset version, from its OpenLineage namespace, name and version
    /// (the empty version is the first, unversioned one): `postgres://db:5432:public.orders#v2`. Written once, for
    /// the write and the reads.
    static func datasetArtifactKey(namespace: String, name: String, version: String) -> String {
        "\(namespace) || ':' || \(name) || CASE WHEN \(version) = '' THEN '' ELSE '#' || \(version) END"
    }

    /// A run state's rank (`OpenLineageRunStates`) as SQL over the state column `column`.
    static func runStateRank(_ column: String) -> String {
        let cases = ExecutionState.allCases.map { "WHEN \($0.rawValue) THEN \(OpenLineageRunStates.rank(of: $0))" }
        return "(CASE \(column) \(cases.joined(separator: " ")) ELSE 0 END)"
    }

    /// One statement writing everything new events say (each reference with the version it means, resolved by
    /// `OpenLineageWriteColumns`): job contexts (and their rows in `openlineage_jobs`), parent
    /// run contexts, run executions (their state moved only forwards), dataset rows and version artifacts, INPUT and
    /// OUTPUT events, associations, attributions, parent contexts and the job-level edges. A job, dataset or
    /// version already stored with every property the events give it is only read (`*_kept`: no update and no row
    /// lock, so the jobs and tables event after event names cost no write); the others are upserted, so concurrent
    /// writers of one meet on its row. Links are inserted if missing.
    static func openLineageStatement(_ columns: OpenLineageWriteColumns) -> PostgresQuery {
        let jobs = columns.jobs.sorted { $0.key < $1.key }.map(\.value)
        let jobNamespace = jobs.map(\.namespaceID)
        let jobType = jobs.map(\.typeID)
        let jobName = jobs.map(\.job.name)
        let jobOpenLineageNamespace = jobs.map(\.job.namespace)
        let jobProperties = jobs.map { JSONWriter.string($0.job.properties) }
        var jobLatestRun = SQLArray<String>()
        for job in jobs { jobLatestRun.append(job.latestRun) }

        let parentRuns = columns.parentRuns.sorted { $0.key < $1.key }
        let parentNamespace = parentRuns.map(\.key.namespaceID)
        let parentType = parentRuns.map(\.value.typeID)
        let parentName = parentRuns.map(\.key.runID)
        let parentJobType = parentRuns.map(\.value.parentJob.typeID)
        let parentJobName = parentRuns.map(\.value.parentJob.name)

        let links = columns.jobParents.sorted { ($0.child, $0.parent) < ($1.child, $1.parent) }
        let linkChildType = links.map(\.child.typeID)
        let linkChildName = links.map(\.child.name)
        let linkParentType = links.map(\.parent.typeID)
        let linkParentName = links.map(\.parent.name)

        let runs = columns.runs.sorted { $0.key < $1.key }.map(\.value)
        let runNamespace = runs.map(\.namespaceID)
        let runType = runs.map(\.typeID)
        let runID = runs.map(\.runID)
        let runState = runs.map(\.state.rawValue)
        let runProperties = runs.map { JSONWriter.string(.object($0.properties)) }
        let runJobType = runs.map(\.jobTypeID)
        let runJobName = runs.map(\.jobName)
        var runParent = SQLArray<String>()
        for run in runs { runParent.append(run.parentRun) }

        let datasets = columns.datasets.sorted {
            ($0.key.namespaceID, $0.key.namespace, $0.key.name) < ($1.key.namespaceID, $1.key.namespace, $1.key.name)
        }
        let datasetNamespaceID = datasets.map(\.key.namespaceID)
        let datasetNamespace = datasets.map(\.key.namespace)
        let datasetName = datasets.map(\.key.name)
        var datasetVersion = SQLArray<String>()
        for dataset in datasets { datasetVersion.append(dataset.value) }

        let artifactKey = datasetArtifactKey(
            namespace: "f.dataset_namespace", name: "f.name", version: "f.version")
        let newRank = runStateRank("EXCLUDED.state")
        let storedRank = runStateRank("executions.state")
        return """
            WITH job_input AS (
                SELECT * FROM unnest(\(jobNamespace)::int8[], \(jobType)::int8[], \(jobName)::text[],
                                     \(jobOpenLineageNamespace)::text[], \(jobProperties)::text[], \(jobLatestRun))
                    AS t(namespace_id, type_id, name, job_namespace, properties, latest_run)
            ),
            parent_input AS (
                SELECT * FROM unnest(\(parentNamespace)::int8[], \(parentType)::int8[], \(parentName)::text[],
                                     \(parentJobType)::int8[], \(parentJobName)::text[])
                    AS t(namespace_id, type_id, name, job_type, job_name)
            ),
            run_input AS (
                SELECT * FROM unnest(\(runNamespace)::int8[], \(runType)::int8[], \(runID)::text[], \(runState)::int2[],
                                     \(runProperties)::text[], \(runJobType)::int8[], \(runJobName)::text[], \(runParent))
                    AS t(namespace_id, type_id, run_id, state, properties, job_type, job_name, parent_run)
            ),
            dataset_input AS (
                SELECT * FROM unnest(\(datasetNamespaceID)::int8[], \(datasetNamespace)::text[], \(datasetName)::text[],
                                     \(datasetVersion))
                    AS t(namespace_id, dataset_namespace, name, stated_version)
            ),
            reference_input AS (
                SELECT * FROM unnest(
                    \(columns.referenceNamespace)::int8[], \(columns.referenceType)::int8[],
                    \(columns.referenceDatasetNamespace)::text[], \(columns.referenceName)::text[],
                    \(columns.referenceVersion)::text[], \(columns.referenceURI)::text[], \(columns.referenceProperties)::text[],
                    \(columns.referenceDirection)::int2[], \(columns.referenceRun), \(columns.referenceJobType),
                    \(columns.referenceJobName), \(columns.referenceTime)::int8[]) WITH ORDINALITY
                    AS t(namespace_id, type_id, dataset_namespace, name, version, uri, properties, direction, run_id,
                         job_type, job_name, micros, ordinal)
            ),
            context_input AS (
                SELECT namespace_id, type_id, name, properties::jsonb AS properties FROM job_input
                UNION ALL
                SELECT namespace_id, type_id, name, '{}'::jsonb FROM parent_input
            ),
            contexts_kept AS (
                SELECT c.id, c.type_id, c.name FROM contexts c
                JOIN context_input i ON c.type_id = i.type_id AND c.name = i.name
                WHERE c.type_id = ANY(ARRAY(SELECT type_id FROM context_input))
                    AND c.name = ANY(ARRAY(SELECT name FROM context_input)) AND c.custom_properties @> i.properties
            ),
            contexts_written AS (
                INSERT INTO contexts (namespace_id, type_id, name, custom_properties)
                SELECT namespace_id, type_id, name, properties FROM context_input i
                WHERE NOT EXISTS (SELECT 1 FROM contexts_kept k WHERE k.type_id = i.type_id AND k.name = i.name)
                ON CONFLICT (type_id, name) DO UPDATE
                SET custom_properties = contexts.custom_properties || EXCLUDED.custom_properties,
                    update_time = now(), revision = contexts.revision + 1
                RETURNING id, type_id, name
            ),
            job_contexts AS (SELECT * FROM contexts_kept UNION ALL SELECT * FROM contexts_written),
            runs_written AS (
                INSERT INTO executions (namespace_id, type_id, name, external_id, state, custom_properties)
                SELECT namespace_id, type_id, run_id, run_id, state, properties::jsonb FROM run_input
                ON CONFLICT (namespace_id, external_id) WHERE external_id IS NOT NULL DO UPDATE
                SET state = CASE WHEN \(unescaped: newRank) > \(unescaped: storedRank) THEN EXCLUDED.state
                                 ELSE executions.state END,
                    custom_properties = executions.custom_properties || EXCLUDED.custom_properties,
                    update_time = now(), revision = executions.revision + 1
                RETURNING id, namespace_id, external_id
            ),
            job_rows AS (
                INSERT INTO openlineage_jobs (context_id, namespace_id, job_namespace, name, latest_run_id)
                SELECT c.id, i.namespace_id, i.job_namespace, i.name, r.id
                FROM job_input i JOIN job_contexts c ON c.type_id = i.type_id AND c.name = i.name
                LEFT JOIN runs_written r ON r.namespace_id = i.namespace_id AND r.external_id = i.latest_run
                ON CONFLICT (context_id) DO UPDATE
                SET updated_at = now(), latest_run_id = coalesce(EXCLUDED.latest_run_id, openlineage_jobs.latest_run_id)
                RETURNING context_id
            ),
            associated AS (
                INSERT INTO associations (context_id, execution_id)
                SELECT c.id, r.id FROM run_input i
                JOIN runs_written r ON r.namespace_id = i.namespace_id AND r.external_id = i.run_id
                JOIN job_contexts c ON c.type_id = i.job_type AND c.name = i.job_name
                UNION ALL
                SELECT c.id, r.id FROM run_input i
                JOIN runs_written r ON r.namespace_id = i.namespace_id AND r.external_id = i.run_id
                JOIN parent_input p ON p.namespace_id = i.namespace_id AND p.name = i.parent_run
                JOIN job_contexts c ON c.type_id = p.type_id AND c.name = p.name
                ON CONFLICT DO NOTHING
            ),
            parented AS (
                INSERT INTO parent_contexts (child_id, parent_id)
                SELECT child.id, parent.id
                FROM unnest(\(linkChildType)::int8[], \(linkChildName)::text[], \(linkParentType)::int8[],
                            \(linkParentName)::text[]) AS l(child_type, child_name, parent_type, parent_name)
                JOIN job_contexts child ON child.type_id = l.child_type AND child.name = l.child_name
                JOIN job_contexts parent ON parent.type_id = l.parent_type AND parent.name = l.parent_name
                UNION
                SELECT child.id, parent.id FROM parent_input p
                JOIN job_contexts child ON child.type_id = p.type_id AND child.name = p.name
                JOIN job_contexts parent ON parent.type_id = p.job_type AND parent.name = p.job_name
                ON CONFLICT DO NOTHING
            ),
            datasets_kept AS (
                SELECT d.id, d.namespace_id, d.dataset_namespace, d.name FROM openlineage_datasets d
                JOIN dataset_input i ON d.namespace_id = i.namespace_id AND d.dataset_namespace = i.dataset_namespace
                    AND d.name = i.name
                WHERE d.namespace_id = ANY(ARRAY(SELECT namespace_id FROM dataset_input))
                    AND d.dataset_namespace = ANY(ARRAY(SELECT dataset_namespace FROM dataset_input))
                    AND d.name = ANY(ARRAY(SELECT name FROM dataset_input))
                    AND (i.stated_version IS NULL OR i.stated_version = d.current_version)
            ),
            datasets_written AS (
                INSERT INTO openlineage_datasets (namespace_id, dataset_namespace, name, current_version)
                SELECT namespace_id, dataset_namespace, name, stated_version FROM dataset_input i
                WHERE NOT EXISTS (
                    SELECT 1 FROM datasets_kept k WHERE k.namespace_id = i.namespace_id
                        AND k.dataset_namespace = i.dataset_namespace AND k.name = i.name)
                ON CONFLICT (namespace_id, dataset_namespace, name) DO UPDATE
                SET updated_at = now(),
                    current_version = coalesce(EXCLUDED.current_version, openlineage_datasets.current_version)
                RETURNING id, namespace_id, dataset_namespace, name
            ),
            datasets AS (SELECT * FROM datasets_kept UNION ALL SELECT * FROM datasets_written),
            resolved AS (
                SELECT i.*, d.id AS dataset_id FROM reference_input i
                JOIN datasets d ON d.namespace_id = i.namespace_id AND d.dataset_namespace = i.dataset_namespace
                    AND d.name = i.name
            ),
            referenced AS (
                SELECT f.*, \(unescaped: artifactKey) AS artifact_key FROM resolved f
            ),
            versions_wanted AS (
                SELECT DISTINCT ON (namespace_id, artifact_key)
                    namespace_id, type_id, artifact_key, uri, properties::jsonb AS properties
                FROM referenced ORDER BY namespace_id, artifact_key, ordinal DESC
            ),
            versions_kept AS (
                SELECT a.id, a.namespace_id, a.external_id FROM artifacts a
                JOIN versions_wanted w ON a.namespace_id = w.namespace_id AND a.external_id = w.artifact_key
                WHERE a.namespace_id = ANY(ARRAY(SELECT namespace_id FROM versions_wanted))
                    AND a.external_id = ANY(ARRAY(SELECT artifact_key FROM versions_wanted))
                    AND a.custom_properties @> w.properties
            ),
            versions_written AS (
                INSERT INTO artifacts (namespace_id, type_id, name, external_id, uri, custom_properties)
                SELECT namespace_id, type_id, artifact_key, artifact_key, uri, properties FROM versions_wanted w
                WHERE NOT EXISTS (
                    SELECT 1 FROM versions_kept k WHERE k.namespace_id = w.namespace_id AND k.external_id = w.artifact_key)
                ON CONFLICT (namespace_id, external_id) WHERE external_id IS NOT NULL DO UPDATE
                SET custom_properties = artifacts.custom_properties || EXCLUDED.custom_properties, update_time = now(),
                    revision = artifacts.revision + 1
                RETURNING id, namespace_id, external_id
            ),
            versions AS (SELECT * FROM versions_kept UNION ALL SELECT * FROM versions_written),
            lineage AS (
                INSERT INTO events (artifact_id, execution_id, type, time)
                SELECT DISTINCT ON (a.id, r.id, f.direction) a.id, r.id,
                    CASE WHEN f.direction = 0 THEN \(EventType.input.rawValue)::int2 ELSE \(EventType.output.rawValue)::int2 END,
                    timestamptz 'epoch' + f.micros * interval '1 microsecond'
                FROM referenced f
                JOIN versions a ON a.namespace_id = f.namespace_id AND a.external_id = f.artifact_key
                -- `+ 0`: not the same expression, so the planner does not join versions and runs on the namespace
                -- alone (every version times every run) before it looks at the keys.
                JOIN runs_written r ON r.namespace_id = f.namespace_id + 0 AND r.external_id = f.run_id
                ON CONFLICT DO NOTHING
            ),
            attributed AS (
                INSERT INTO attributions (context_id, artifact_id)
                SELECT DISTINCT c.id, a.id FROM referenced f
                JOIN versions a ON a.namespace_id = f.namespace_id AND a.external_id = f.artifact_key
                JOIN job_contexts c ON c.type_id = f.job_type AND c.name = f.job_name
                ON CONFLICT DO NOTHING
            ),
            edges AS (
                INSERT INTO openlineage_edges (job_id, dataset_id, direction)
                SELECT DISTINCT j.context_id, f.dataset_id, f.direction FROM referenced f
                JOIN job_contexts c ON c.type_id = f.job_type AND c.name = f.job_name
                JOIN job_rows j ON j.context_id = c.id
                ON CONFLICT DO NOTHING
            )
            SELECT 1
            """
    }
}
