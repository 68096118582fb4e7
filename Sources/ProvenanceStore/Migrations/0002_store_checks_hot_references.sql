-- The high-volume tables (nodes, events, attributions, associations) drop their foreign keys. PostgreSQL checks a
-- foreign key with one trigger query per inserted row, which made those checks most of the cost of a composite
-- write (about 15 ms of a 100-record lineage:record). The references stay checked: every write goes through the
-- store's single write statement, which either inserts the referenced node in the same statement or verifies it
-- exists in the namespace (and fails the whole statement otherwise), and nothing is ever deleted. Types,
-- namespaces and parent contexts, written rarely, keep their foreign keys.
ALTER TABLE artifacts DROP CONSTRAINT artifacts_namespace_id_fkey;
ALTER TABLE artifacts DROP CONSTRAINT artifacts_type_id_fkey;
ALTER TABLE executions DROP CONSTRAINT executions_namespace_id_fkey;
ALTER TABLE executions DROP CONSTRAINT executions_type_id_fkey;
ALTER TABLE contexts DROP CONSTRAINT contexts_namespace_id_fkey;
ALTER TABLE contexts DROP CONSTRAINT contexts_type_id_fkey;
ALTER TABLE events DROP CONSTRAINT events_artifact_id_fkey;
ALTER TABLE events DROP CONSTRAINT events_execution_id_fkey;
ALTER TABLE attributions DROP CONSTRAINT attributions_context_id_fkey;
ALTER TABLE attributions DROP CONSTRAINT attributions_artifact_id_fkey;
ALTER TABLE associations DROP CONSTRAINT associations_context_id_fkey;
ALTER TABLE associations DROP CONSTRAINT associations_execution_id_fkey;
