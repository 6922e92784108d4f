package io.audiences.contract;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.Tag;

/**
 * A test class that runs alone, after the others of its database: it kills or stops processes and databases, drives
 * builds and lock waits to their limits, or times answers against the product's promises (503 within 1 s, readiness
 * down within 3 s), so another class's load on the same two cores would measure the machine rather than the server.
 * The rest of the suite runs in two test JVMs at once (see the surefire executions in contract-tests/pom.xml).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("isolated")
public @interface Isolated {
}
