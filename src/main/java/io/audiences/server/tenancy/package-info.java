/**
 * Enterprises, organizations (with their closure table) and projects (tables {@code enterprise},
 * {@code organization}, {@code organization_closure}, {@code project}), the caller's subtree as the boundary of
 * every read (anything outside it is 404), and the per-tenant quotas. It must not depend on the capabilities that
 * live inside projects ({@code audiences}, {@code credentials}, {@code webhooks}, ...); they depend on it.
 */
package io.audiences.server.tenancy;
