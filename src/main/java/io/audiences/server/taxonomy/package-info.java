/**
 * The shared intent taxonomy (tables {@code taxonomy_category}, {@code taxonomy_subcategory}, {@code taxonomy_topic},
 * written by {@code upstream}): the same for every tenant, so no tenant scoping; its store also resolves topic ids to
 * the keys the signal table stores, for filter validation and builds. And topic requests (tables {@code topic_request},
 * {@code topic_review}), scoped to the requesting tenant, whose acceptance adds a topic to the catalog. It depends on
 * {@code platform}, {@code audit} (every request change is recorded) and {@code idempotency} (creates take an
 * Idempotency-Key).
 */
package io.audiences.server.taxonomy;
