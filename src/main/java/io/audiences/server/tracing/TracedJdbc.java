package io.audiences.server.tracing;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Locale;
import java.util.Set;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;

/**
 * A span per SQL statement, child of whatever span is current (the request's, the build's): the pool's connections
 * are wrapped once where the database hands them out ({@code Database.connection}), so DB Client and the code on
 * plain connections (bulk loads, downloads) are covered without touching a call site. The span carries the statement's text as prepared (with {@code ?}
 * placeholders, never the bound values).
 */
final class TracedJdbc {

    private static final AttributeKey<String> QUERY_TEXT = AttributeKey.stringKey("db.query.text");
    private static final AttributeKey<String> OPERATION = AttributeKey.stringKey("db.operation.name");
    private static final Set<String> CREATES = Set.of("createStatement", "prepareStatement", "prepareCall");
    private static final Set<String> EXECUTES = Set.of("execute", "executeQuery", "executeUpdate", "executeLargeUpdate",
            "executeBatch", "executeLargeBatch");

    private TracedJdbc() {
    }

    static Connection wrap(Connection connection, Tracer tracer) {
        return (Connection) Proxy.newProxyInstance(TracedJdbc.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    Object result = invoke(connection, method, args);
                    if (CREATES.contains(method.getName()) && result instanceof Statement statement) {
                        String sql = "createStatement".equals(method.getName()) ? null : (String) args[0];
                        return Proxy.newProxyInstance(TracedJdbc.class.getClassLoader(),
                                new Class<?>[] {method.getReturnType()}, new Statements(statement, sql, tracer));
                    }
                    return result;
                });
    }

    private record Statements(Statement statement, String prepared, Tracer tracer) implements InvocationHandler {

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (!EXECUTES.contains(method.getName())) {
                return TracedJdbc.invoke(statement, method, args);
            }
            String sql = prepared != null ? prepared : args != null && args.length > 0 && args[0] instanceof String s ? s : "batch";
            String operation = operation(sql);
            Span span = tracer.spanBuilder(operation).setSpanKind(SpanKind.CLIENT)
                    .setAttribute(QUERY_TEXT, sql).setAttribute(OPERATION, operation).startSpan();
            try (Scope ignored = span.makeCurrent()) {
                return TracedJdbc.invoke(statement, method, args);
            } catch (Throwable e) {
                span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
                throw e;
            } finally {
                span.end();
            }
        }
    }

    /** The statement's first word (SELECT, INSERT, ...): the span's name, low in cardinality as span names should be. */
    private static String operation(String sql) {
        String trimmed = sql.stripLeading();
        int end = 0;
        while (end < trimmed.length() && Character.isLetter(trimmed.charAt(end))) {
            end++;
        }
        return end == 0 ? "SQL" : trimmed.substring(0, end).toUpperCase(Locale.ROOT);
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
