-- Each attempt counts the log lines it has stored: concurrent batches of one attempt take their line numbers from
-- it under the attempt's row lock (no two batches can number lines alike), and it bounds what one attempt stores.
ALTER TABLE attempts ADD COLUMN log_lines int4 NOT NULL DEFAULT 0;

UPDATE attempts a SET log_lines = l.lines
FROM (SELECT task_id, attempt, max(seq)::int4 AS lines FROM task_logs GROUP BY task_id, attempt) l
WHERE l.task_id = a.task_id AND l.attempt = a.number;
