/**
 * Health and the orchestrator's probes, the contract served at {@code /openapi} and its reference page at
 * {@code /docs}. It owns no table; probes read state kept in memory, never the database. It depends only on
 * {@code platform}.
 */
package io.audiences.server.system;
