package io.audiences.server.catalog;

import java.util.List;

/**
 * A validated filter as SQL: a predicate over a contact record {@code r}, its company {@code c} and the
 * record's aggregated intent signals {@code s} (bit i of {@code s.flags} flags INTENT rule i), with the
 * parameters in placeholder order. User values only ever travel as parameters.
 *
 * @param predicate       boolean SQL expression
 * @param params          values for its placeholders
 * @param intentRules     topic ids of each INTENT rule, in flag-bit order
 * @param scoreConditions conditions on {@code score} for a signal to qualify, each with one or two placeholders
 * @param scoreParams     values for those placeholders
 * @param intentRequired  whether every member must have a qualifying signal (top-level AND with an INTENT rule)
 * @param readsCompany    whether the predicate reads the company {@code c} (builds join it only then: H2 would
 *                        otherwise read every candidate record's row and probe the company by key, for nothing)
 */
public record CompiledFilter(String predicate, List<Object> params, List<List<String>> intentRules,
                             List<String> scoreConditions, List<Object> scoreParams, boolean intentRequired,
                             boolean readsCompany) {

    /** All topic ids the filter names, for the signal scan. */
    public List<String> allTopics() {
        return intentRules.stream().flatMap(List::stream).distinct().toList();
    }
}
