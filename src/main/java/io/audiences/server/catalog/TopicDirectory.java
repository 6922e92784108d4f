package io.audiences.server.catalog;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.audiences.server.platform.Database;

import io.helidon.dbclient.DbRow;

/** Resolves public topic ids to the compact keys the signal table stores. */
public final class TopicDirectory {

    private final Database db;

    public TopicDirectory(Database db) {
        this.db = db;
    }

    /** Keys of the known topics among {@code ids}; unknown ids are absent from the map. */
    public Map<String, Integer> keys(List<String> ids) {
        if (ids.isEmpty()) {
            return Map.of();
        }
        Map<String, Integer> result = new HashMap<>();
        for (int from = 0; from < ids.size(); from += 500) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + 500));
            String sql = "SELECT id, topic_key FROM taxonomy_topic WHERE id IN ("
                    + String.join(", ", Collections.nCopies(chunk.size(), "?")) + ")";
            try (Stream<DbRow> rows = db.client().execute().query(sql, chunk.toArray())) {
                rows.forEach(r -> result.put(r.column("id").get(String.class), r.column("topic_key").get(Integer.class)));
            }
        }
        return result;
    }
}
