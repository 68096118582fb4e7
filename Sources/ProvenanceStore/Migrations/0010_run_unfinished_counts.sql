-- Each run counts its unfinished tasks. Every transaction that ends tasks (or starts ended ones over) changes the
-- count under the run's row lock, and the one that brings it to zero ends the run in the same transaction: "the
-- last task" is a fact of the row, not a read that two transactions ending the last two tasks could both miss.
ALTER TABLE runs ADD COLUMN unfinished_tasks int4 NOT NULL DEFAULT 0;

UPDATE runs r SET unfinished_tasks = u.count
FROM (SELECT run_id, count(*)::int4 AS count FROM tasks WHERE state IN (0, 1, 2) GROUP BY run_id) u
WHERE u.run_id = r.id;
