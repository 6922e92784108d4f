/**
 * The field catalog ({@code GET /api/v1/field-catalog}) and the filter compiler that validates a filter against it
 * and turns it into parameterised SQL over the upstream tables, with bucket labels taken from {@code upstream}'s
 * vocabulary. It owns no table and runs no query; it must not depend on {@code audiences} or {@code builds}, which use it.
 */
package io.audiences.server.catalog;
