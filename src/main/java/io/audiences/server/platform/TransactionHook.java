package io.audiences.server.platform;

import io.helidon.dbclient.DbExecute;

/**
 * A step that must commit or roll back together with a change: a service runs it inside the change's own
 * transaction, with the change's result, just before committing. Idempotent requests record their reply this way,
 * so a change and its recorded reply are never one without the other (not even across a crash).
 */
@FunctionalInterface
public interface TransactionHook<T> {

    void beforeCommit(DbExecute tx, T result);

    /** Runs the hook on {@code result} and hands the result on. */
    default T apply(DbExecute tx, T result) {
        beforeCommit(tx, result);
        return result;
    }

    /** Nothing to add to the transaction. */
    static <T> TransactionHook<T> none() {
        return (tx, result) -> { };
    }
}
