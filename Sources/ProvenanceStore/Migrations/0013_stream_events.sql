-- What the live event stream (GET .../events:stream) carries: run and task state changes, attempts, log batches,
-- metric points and lineage records, each written by a statement-level trigger in the transaction that made the
-- change (so an event exists exactly when its change committed, whichever replica made it), and (but for lineage)
-- announced on the task channel ('stream') for every replica's stream to read.
--
-- Events are read in the order (tx, id), and only from transactions older than every transaction still running
-- (pg_snapshot_xmin), so an event that commits after a later-numbered one was read is never skipped: the cursor a
-- client resumes from (Last-Event-ID) never passes an event that may still appear.
CREATE TABLE stream_events (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tx           xid8 NOT NULL DEFAULT pg_current_xact_id(),
    namespace_id bigint NOT NULL,
    kind         text NOT NULL,
    run_id       bigint,
    pipeline_id  bigint,
    payload      jsonb NOT NULL,
    time         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stream_events_order_idx ON stream_events (tx, id);
CREATE INDEX stream_events_time_idx ON stream_events (time);

CREATE FUNCTION stream_new_runs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stream_events (namespace_id, kind, run_id, pipeline_id, payload)
    SELECT n.namespace_id, 'run', n.id, n.pipeline_id, jsonb_build_object('run_id', n.id, 'state', n.state)
    FROM new_rows n;
    PERFORM pg_notify('provenance_tasks', 'stream');
    RETURN NULL;
END $$;
CREATE TRIGGER runs_stream_insert AFTER INSERT ON runs REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stream_new_runs();

CREATE FUNCTION stream_run_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stream_events (namespace_id, kind, run_id, pipeline_id, payload)
    SELECT n.namespace_id, 'run', n.id, n.pipeline_id, jsonb_build_object('run_id', n.id, 'state', n.state)
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE o.state IS DISTINCT FROM n.state;
    IF FOUND THEN PERFORM pg_notify('provenance_tasks', 'stream'); END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER runs_stream_update AFTER UPDATE ON runs REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stream_run_changes();

-- One event per run and statement, listing its tasks that changed state.
CREATE FUNCTION stream_task_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stream_events (namespace_id, kind, run_id, pipeline_id, payload)
    SELECT n.namespace_id, 'tasks', n.run_id, min(r.pipeline_id),
           jsonb_build_object('run_id', n.run_id,
               'tasks', jsonb_agg(jsonb_build_object('task_id', n.id, 'step', n.step, 'state', n.state) ORDER BY n.id))
    FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN runs r ON r.id = n.run_id
    WHERE o.state IS DISTINCT FROM n.state
    GROUP BY n.namespace_id, n.run_id;
    IF FOUND THEN PERFORM pg_notify('provenance_tasks', 'stream'); END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER tasks_stream_update AFTER UPDATE ON tasks REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stream_task_changes();

CREATE FUNCTION stream_attempts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stream_events (namespace_id, kind, run_id, pipeline_id, payload)
    SELECT t.namespace_id, 'attempts', t.run_id, min(r.pipeline_id),
           jsonb_build_object('run_id', t.run_id, 'attempts', jsonb_agg(jsonb_build_object(
               'task_id', n.task_id, 'number', n.number, 'state', n.state, 'executor_id', n.executor_id,
               'execution_id', n.execution_id) ORDER BY n.task_id, n.number))
    FROM new_rows n JOIN tasks t ON t.id = n.task_id JOIN runs r ON r.id = t.run_id
    GROUP BY t.namespace_id, t.run_id;
    IF FOUND THEN PERFORM pg_notify('provenance_tasks', 'stream'); END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER attempts_stream_insert AFTER INSERT ON attempts REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stream_attempts();

CREATE FUNCTION stream_attempt_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stream_events (namespace_id, kind, run_id, pipeline_id, payload)
    SELECT t.namespace_id, 'attempts', t.run_id, min(r.pipeline_id),
           jsonb_build_object('run_id', t.run_id, 'attempts', jsonb_agg(jsonb_build_object(
               'task_id', n.task_id, 'number', n.number, 'state', n.state, 'executor_id', n.executor_id,
               'execution_id', n.execution_id) ORDER BY n.task_id, n.number))
    FROM new_rows n JOIN old_rows o ON o.task_id = n.task_id AND o.number = n.number
        JOIN tasks t ON t.id = n.task_id JOIN runs r ON r.id = t.run_id
    WHERE o.state IS DISTINCT FROM n.state
    GROUP BY t.namespace_id, t.run_id;
    IF FOUND THEN PERFORM pg_notify('provenance_tasks', 'stream'); END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER attempts_stream_update AFTER UPDATE ON attempts REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stream_attempt_changes();

-- One event per attempt and statement: which lines arrived (the lines themselves are read from the log).
CREATE FUNCTION stream_log_lines() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stream_events (namespace_id, kind, run_id, pipeline_id, payload)
    SELECT t.namespace_id, 'log', t.run_id, min(r.pipeline_id),
           jsonb_build_object('run_id', t.run_id, 'task_id', n.task_id, 'attempt', n.attempt, 'first_seq', min(n.seq),
                              'last_seq', max(n.seq), 'lines', count(*))
    FROM new_rows n JOIN tasks t ON t.id = n.task_id JOIN runs r ON r.id = t.run_id
    GROUP BY t.namespace_id, t.run_id, n.task_id, n.attempt;
    IF FOUND THEN PERFORM pg_notify('provenance_tasks', 'stream'); END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER task_logs_stream_insert AFTER INSERT ON task_logs REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stream_log_lines();

-- One event per series and write: its new count, last step and value.
CREATE FUNCTION stream_metric_points() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stream_events (namespace_id, kind, run_id, pipeline_id, payload)
    SELECT n.namespace_id, 'metric', n.run_id, r.pipeline_id,
           jsonb_strip_nulls(jsonb_build_object('run_id', n.run_id, 'task_id', n.task_id, 'name', n.name,
               'points', n.points, 'last_step', n.last_step, 'last_value', n.last_value))
    FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN runs r ON r.id = n.run_id
    WHERE o.points IS DISTINCT FROM n.points;
    IF FOUND THEN PERFORM pg_notify('provenance_tasks', 'stream'); END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER metric_series_stream_update AFTER UPDATE ON metric_series REFERENCING OLD TABLE AS old_rows
    NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stream_metric_points();

-- One event per namespace and statement recording lineage: its new executions (each with its events, read through
-- the API). Not announced: a lineage write is the hottest write there is, and NOTIFY serializes commits, so the
-- stream reads these within its poll interval (100 ms). New artifacts get no event of their own: with theirs too the
-- triggers cost lineage:record about 10% (measured in one run, with and without them, on one database).
CREATE FUNCTION stream_new_executions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stream_events (namespace_id, kind, payload)
    SELECT n.namespace_id, 'lineage', jsonb_build_object('executions', jsonb_agg(n.id ORDER BY n.id))
    FROM new_rows n GROUP BY n.namespace_id;
    RETURN NULL;
END $$;
CREATE TRIGGER executions_stream_insert AFTER INSERT ON executions REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stream_new_executions();


-- Where pruning reached (the newest event deleted): a client resuming from before it may have missed events, and
-- is told to reload.
CREATE TABLE stream_horizon (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    tx  xid8 NOT NULL,
    id  bigint NOT NULL
);
