-- The fleet view reads each customer's latest runs of a pipeline: runs by (pipeline, customer label, id), so a
-- skip scan finds the customers and one probe each finds their latest run and latest success.
CREATE INDEX runs_pipeline_customer_idx ON runs (pipeline_id, (labels ->> 'customer'), id);
