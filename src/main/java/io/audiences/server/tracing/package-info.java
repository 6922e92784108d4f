/**
 * OpenTelemetry tracing, off unless an OTLP endpoint is configured: the request span (W3C {@code traceparent} in),
 * a span per SQL statement through a wrapped JDBC connection, and a span per build. Owns no table and depends only
 * on {@code platform}; when off it wraps nothing and makes no span current.
 */
package io.audiences.server.tracing;
