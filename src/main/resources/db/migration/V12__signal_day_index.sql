-- Replacing a day of signals deletes that day first. The covering index leads with topic_key, so without this index
-- the delete scans the whole table: a late day would take longer the more days the table holds.
CREATE INDEX intent_signal_day ON intent_signal (event_day);
