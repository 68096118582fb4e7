-- Deleting artifacts, executions and contexts. A deleted node's row goes, with its context links; its events stay
-- (the store checks the nodes a write names, see 0002, so nothing ties an event to a live row), so lineage walks
-- still pass through it, and a tombstone records what it was, who deleted it and when, for walks and reads to say
-- so. Tombstones are kept: a namespace that has one always has.
CREATE TABLE tombstones (
    kind         text NOT NULL CHECK (kind IN ('artifact', 'execution', 'context')),
    node_id      bigint NOT NULL,
    namespace_id bigint NOT NULL REFERENCES namespaces(id),
    type_id      bigint NOT NULL REFERENCES types(id),
    name         text,
    uri          text,
    delete_time  timestamptz NOT NULL DEFAULT now(),
    deleted_by   text NOT NULL,
    CONSTRAINT tombstones_pkey PRIMARY KEY (kind, node_id)
);
CREATE INDEX tombstones_namespace_idx ON tombstones (namespace_id);
