/**
 * Getting a deployment started: the {@code bootstrap} command (first organization, project and admin), and on the
 * embedded default the demo tenant, its credentials file and demo data. It owns no table (it writes through
 * {@code tenancy}, {@code credentials}, {@code audiences} and {@code upstream}); nothing but the composition root may
 * depend on it.
 */
package io.audiences.server.setup;
