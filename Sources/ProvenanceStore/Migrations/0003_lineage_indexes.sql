-- Lineage traversal reads events by artifact (the primary key, artifact_id, execution_id, type) and by execution.
-- The execution-side index now carries the event type too, so both directions of a walk are index-only scans
-- that never visit the events heap.
CREATE INDEX events_execution_type_idx ON events (execution_id, artifact_id, type);
DROP INDEX events_execution_idx;

-- Filters name contexts without their type or namespace (contexts_a.name = 'p17' joins contexts through
-- attributions); the unique key leads with the type.
CREATE INDEX contexts_name_idx ON contexts (name);
