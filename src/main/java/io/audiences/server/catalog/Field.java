package io.audiences.server.catalog;

import java.util.List;
import java.util.Optional;

/**
 * One filterable field: how it is offered in the catalog and which SQL column it reads.
 *
 * @param key         the catalog's {@code field_key}
 * @param displayName human name
 * @param category    catalog category
 * @param kind        how values are chosen
 * @param operators   operators allowed on it
 * @param options     picklist values (lower case) for select fields
 * @param buckets     ordered buckets for bucketed fields
 * @param column      SQL expression over {@code r} (contact_record) and {@code c} (company)
 */
public record Field(String key, String displayName, String category, Kind kind, List<String> operators,
                    List<String> options, List<Bucket> buckets, String column) {

    /** How a field's values are chosen. */
    public enum Kind {
        INTENT("multiselect", "string"), SCORE("number", "integer"), TEXT("text", "string"),
        PICKLIST("multiselect", "string"), BUCKET("bucket", "string"), BOOLEAN("boolean", "boolean");

        private final String fieldType;
        private final String dataType;

        Kind(String fieldType, String dataType) {
            this.fieldType = fieldType;
            this.dataType = dataType;
        }

        public String fieldType() {
            return fieldType;
        }

        public String dataType() {
            return dataType;
        }
    }

    /**
     * A bucket of a bucketed field, stored as its index.
     *
     * @param index position, as stored in the upstream tables
     * @param label wire value, e.g. {@code 201-500}
     * @param min   lowest value in the bucket
     * @param max   highest value; empty on the open top bucket
     */
    public record Bucket(int index, String label, long min, Optional<Long> max) { }
}
