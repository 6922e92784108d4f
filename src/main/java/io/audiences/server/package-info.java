/**
 * The composition root: {@code Main} (the {@code serve}, {@code bootstrap}, {@code generate} and {@code load}
 * commands) and {@code Application}, which opens the database and wires every capability's services, handlers and
 * background workers into one server. It owns no table and no rule; nothing depends on it: the commands get the
 * pieces they need from {@code Main} ({@code ArchitectureTest} keeps package cycles out).
 */
package io.audiences.server;
