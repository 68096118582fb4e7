-- Ready tasks a transaction left for later. A chain served from the cache moves on one step per wave, and one
-- transaction resolves at most StoreOptions.releaseWaves waves: the tasks the last wave made ready are listed here
-- (the transaction notifies the task channel with 'release' as it commits) and any replica goes on with them in
-- further short transactions, so no completion or submission holds its locks for the length of a chain.
CREATE TABLE task_releases (
    task_id bigint PRIMARY KEY REFERENCES tasks(id) ON DELETE CASCADE
);
