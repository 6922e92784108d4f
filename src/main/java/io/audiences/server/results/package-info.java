/**
 * Reads of an audience's current snapshot ({@code audience_member} joined to the upstream records): the sample and
 * the downloads in every export format, with the rendered-file cache resumed ranges are served from, and how a
 * download request is answered ({@code Transfer}: range, If-Range, 416, gzip, cached file or stream). It writes no
 * table and holds no HTTP types; it must not depend on {@code audiences} (the audience arrives as a
 * {@code Snapshot}).
 */
package io.audiences.server.results;
