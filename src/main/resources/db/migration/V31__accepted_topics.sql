-- An accepted topic request becomes a taxonomy topic (issue 13): the topic takes the request's keywords, which may be
-- up to 20 x 100 characters joined by commas (2,019), more than the upstream column held.
ALTER TABLE taxonomy_topic ALTER COLUMN keywords SET DATA TYPE VARCHAR(2100);
