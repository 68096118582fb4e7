-- The run engine's hot questions, each answered from a small partial index instead of a scan of a run's tasks or
-- of every run ever made:
-- "is any task of this run still unfinished?" (after every task ends),
-- "which runs are still active?" (the sweep that ends runs whose last tasks ended together).
CREATE INDEX tasks_unfinished_idx ON tasks (run_id) WHERE state IN (0, 1, 2);
CREATE INDEX runs_active_idx ON runs (id) WHERE state IN (0, 1, 4);
