/**
 * What every capability shares and none owns: the database (pool, Flyway migrations, outage monitor), the parsed
 * contract, settings, JSON, the one error path ({@code DomainException} to problem+json), HTTP reading and writing,
 * keyset paging, ids, clocks, safe logging, who is calling ({@code Principal}, set by {@code auth}'s filter) and the
 * hash of machine-generated secrets. It owns no table of its own (Flyway's history only). It must depend on
 * no capability package.
 */
package io.audiences.server.platform;
