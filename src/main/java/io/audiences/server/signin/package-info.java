/**
 * The gate in front of every sign-in: budgets of failed attempts per account and per address (table
 * {@code sign_in_bucket}), the bounded pool password checks run on, and the events refused attempts raise. It knows
 * no credential store (the check to run is handed in) and depends only on {@code platform}.
 */
package io.audiences.server.signin;
