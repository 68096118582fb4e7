-- An upstream walk goes from an artifact to the executions that output it. Read through the primary key, a dataset
-- shared by thousands of runs costs thousands of input events per visit only to find its one producer. Output
-- events (DECLARED_OUTPUT, OUTPUT, INTERNAL_OUTPUT, PENDING_OUTPUT) by artifact have their own index; the walk
-- names these types literally so that the planner can use it.
CREATE INDEX events_output_idx ON events (artifact_id, execution_id) WHERE type = ANY('{1,4,6,7}'::int2[]);
