package io.audiences.server.catalog;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Pattern;

import io.audiences.model.ConditionRulesDto;
import io.audiences.model.FilterEntryDto;
import io.audiences.model.FilterGroupDto;
import io.audiences.server.platform.DomainException;
import io.audiences.server.platform.ErrorCode;

/**
 * Validates a filter against the field catalog and compiles it to parameterised SQL. Every problem is
 * reported with a JSON pointer into the request body; values never reach the SQL text.
 */
public final class FilterCompiler {

    static final int MAX_DEPTH = 5;
    static final int MAX_RULES = 100;
    static final int MAX_VALUES = 1000;
    static final int MAX_INTENT_RULES = 30;

    private final FieldCatalog catalog;

    public FilterCompiler(FieldCatalog catalog) {
        this.catalog = catalog;
    }

    /**
     * Compiles the filter found at {@code pointer} (e.g. {@code /filter}).
     *
     * @throws DomainException INVALID with the offending rules' pointers
     */
    public CompiledFilter compile(FilterGroupDto filter, String pointer) {
        Context ctx = new Context();
        String predicate = group(filter.getCondition().toString(), filter.getRules(), pointer, 1, ctx);
        boolean intentRequired = "and".equals(filter.getCondition().toString())
                && filter.getRules().stream().anyMatch(e -> FieldCatalog.INTENT.equals(e.getFieldName()));
        if (!ctx.scoreConditions.isEmpty() && ctx.intentRules.isEmpty()) {
            ctx.errors.add(new DomainException.FieldError(pointer + "/rules",
                    "intent_score needs an INTENT rule in the same filter"));
        }
        if (!ctx.errors.isEmpty()) {
            throw new DomainException(DomainException.Kind.INVALID, ErrorCode.INVALID_FILTER, "The filter is not valid.",
                    ctx.errors, Map.of());
        }
        return new CompiledFilter(predicate, List.copyOf(ctx.params), List.copyOf(ctx.intentRules),
                List.copyOf(ctx.scoreConditions), List.copyOf(ctx.scoreParams), intentRequired, ctx.readsCompany);
    }

    private static final class Context {
        final List<Object> params = new ArrayList<>();
        final List<List<String>> intentRules = new ArrayList<>();
        final List<String> scoreConditions = new ArrayList<>();
        final List<Object> scoreParams = new ArrayList<>();
        final List<DomainException.FieldError> errors = new ArrayList<>();
        int rules;
        boolean readsCompany;
    }

    private String group(String condition, List<FilterEntryDto> entries, String pointer, int depth, Context ctx) {
        if (depth > MAX_DEPTH) {
            ctx.errors.add(new DomainException.FieldError(pointer, "groups nest at most " + MAX_DEPTH + " levels"));
            return "1 = 0";
        }
        if (entries == null || entries.isEmpty()) {
            ctx.errors.add(new DomainException.FieldError(pointer + "/rules", "a group needs at least one rule"));
            return "1 = 0";
        }
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            FilterEntryDto e = entries.get(i);
            String at = pointer + "/rules/" + i;
            boolean isRule = e.getFieldName() != null || e.getConditionRules() != null;
            boolean isGroup = e.getCondition() != null || (e.getRules() != null && !e.getRules().isEmpty());
            if (isRule == isGroup) {
                ctx.errors.add(new DomainException.FieldError(at,
                        "an entry is either a rule (fieldName, conditionRules) or a group (condition, rules)"));
                continue;
            }
            if (isGroup) {
                if (e.getCondition() == null) {
                    ctx.errors.add(new DomainException.FieldError(at + "/condition", "required property is missing"));
                    continue;
                }
                parts.add(group(e.getCondition().toString(), e.getRules(), at, depth + 1, ctx));
            } else {
                if (++ctx.rules > MAX_RULES) {
                    ctx.errors.add(new DomainException.FieldError(at, "a filter holds at most " + MAX_RULES + " rules"));
                    return "1 = 0";
                }
                if (FieldCatalog.INTENT_SCORE.equals(e.getFieldName()) && !(depth == 1 && "and".equals(condition))) {
                    ctx.errors.add(new DomainException.FieldError(at + "/fieldName",
                            "intent_score may only appear in the top-level group with condition and"));
                    continue;
                }
                parts.add(rule(e, at, ctx));
            }
        }
        return parts.isEmpty() ? "1 = 0" : "(" + String.join(" " + condition.toUpperCase(Locale.ROOT) + " ", parts) + ")";
    }

    private String rule(FilterEntryDto e, String at, Context ctx) {
        if (e.getFieldName() == null) {
            ctx.errors.add(new DomainException.FieldError(at + "/fieldName", "required property is missing"));
            return "1 = 0";
        }
        ConditionRulesDto cr = e.getConditionRules();
        if (cr == null || cr.getOperator() == null) {
            ctx.errors.add(new DomainException.FieldError(at + "/conditionRules", "operator and value are required"));
            return "1 = 0";
        }
        Field field = catalog.field(e.getFieldName()).orElse(null);
        if (field == null) {
            ctx.errors.add(new DomainException.FieldError(at + "/fieldName", "unknown field " + e.getFieldName()
                    + "; see GET /api/v1/field-catalog"));
            return "1 = 0";
        }
        String op = cr.getOperator().toString();
        if (!field.operators().contains(op)) {
            ctx.errors.add(new DomainException.FieldError(at + "/conditionRules/operator",
                    "operator " + op + " is not allowed on " + field.key() + "; allowed: " + field.operators()));
            return "1 = 0";
        }
        String valueAt = at + "/conditionRules/value";
        ctx.readsCompany |= field.column() != null && field.column().startsWith("c.");
        int before = ctx.errors.size();
        String sql = switch (field.kind()) {
            case INTENT -> intent(cr.getValue(), valueAt, ctx);
            case SCORE -> score(op, cr.getValue(), valueAt, ctx);
            case TEXT, PICKLIST -> text(field, op, cr.getValue(), valueAt, ctx);
            case BUCKET -> bucket(field, op, cr.getValue(), valueAt, ctx);
            case BOOLEAN -> bool(field, op, cr.getValue(), valueAt, ctx);
        };
        return ctx.errors.size() > before ? "1 = 0" : sql;
    }

    private String intent(Object value, String at, Context ctx) {
        List<String> topics = strings(value, at, ctx);
        if (topics.isEmpty()) {
            return "1 = 0";
        }
        if (ctx.intentRules.size() == MAX_INTENT_RULES) {
            ctx.errors.add(new DomainException.FieldError(at, "a filter holds at most " + MAX_INTENT_RULES + " INTENT rules"));
            return "1 = 0";
        }
        ctx.intentRules.add(topics);
        // Bit i of the build's per-profile flags says whether the profile signalled on rule i's topics.
        return "MOD(COALESCE(s.flags, 0) / " + (1L << (ctx.intentRules.size() - 1)) + ", 2) = 1";
    }

    private String score(String op, Object value, String at, Context ctx) {
        long[] range = numbers(op, value, at, ctx);
        if (range.length == 0) {
            return "1 = 1";
        }
        String condition = switch (op) {
            case "eq" -> "score = ?";
            case "gt" -> "score > ?";
            case "gte" -> "score >= ?";
            case "lt" -> "score < ?";
            case "lte" -> "score <= ?";
            default -> "score BETWEEN ? AND ?";
        };
        ctx.scoreConditions.add(condition);
        for (long v : range) {
            ctx.scoreParams.add((int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v)));
        }
        return "1 = 1";
    }

    private String text(Field field, String op, Object value, String at, Context ctx) {
        String col = field.column();
        switch (op) {
            case "in", "notin" -> {
                List<String> values = strings(value, at, ctx).stream().map(v -> v.toLowerCase(Locale.ROOT)).toList();
                if (values.isEmpty() || !picklistValues(field, values, at, ctx)) {
                    return "1 = 0";
                }
                ctx.params.addAll(values);
                String list = "LOWER(" + col + ") IN (" + placeholders(values.size()) + ")";
                return "in".equals(op) ? list : "(" + col + " IS NULL OR NOT " + list + ")";
            }
            default -> {
                if (!(value instanceof String s) || s.isEmpty() || s.length() > 500) {
                    ctx.errors.add(new DomainException.FieldError(at, "expected a non-empty string of at most 500 characters"));
                    return "1 = 0";
                }
                String v = s.toLowerCase(Locale.ROOT);
                if (!"contains".equals(op) && !picklistValues(field, List.of(v), at, ctx)) {
                    return "1 = 0";
                }
                return switch (op) {
                    case "eq" -> {
                        ctx.params.add(v);
                        yield "LOWER(" + col + ") = ?";
                    }
                    case "ne" -> {
                        ctx.params.add(v);
                        yield "(" + col + " IS NULL OR LOWER(" + col + ") <> ?)";
                    }
                    default -> {
                        ctx.params.add("%" + v.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
                        yield "LOWER(" + col + ") LIKE ? ESCAPE '\\'";
                    }
                };
            }
        }
    }

    private boolean picklistValues(Field field, List<String> values, String at, Context ctx) {
        if (field.kind() != Field.Kind.PICKLIST) {
            return true;
        }
        List<String> unknown = values.stream().filter(v -> !field.options().contains(v)).toList();
        if (!unknown.isEmpty()) {
            ctx.errors.add(new DomainException.FieldError(at, "unknown values " + unknown + " for " + field.key()
                    + "; allowed: " + field.options()));
            return false;
        }
        return true;
    }

    private String bucket(Field field, String op, Object value, String at, Context ctx) {
        List<Integer> matching = new ArrayList<>();
        if ("in".equals(op) || "notin".equals(op)) {
            List<String> labels = strings(value, at, ctx);
            for (String label : labels) {
                field.buckets().stream().filter(b -> b.label().equalsIgnoreCase(label)).findFirst()
                        .ifPresentOrElse(b -> matching.add(b.index()), () -> ctx.errors.add(new DomainException.FieldError(at,
                                "unknown bucket " + label + " for " + field.key() + "; allowed: "
                                        + field.buckets().stream().map(Field.Bucket::label).toList())));
            }
        } else {
            long[] range = numbers(op, value, at, ctx);
            if (range.length == 0) {
                return "1 = 0";
            }
            // A bucket matches a range only if every value in it does.
            for (Field.Bucket b : field.buckets()) {
                if (bucketWithin(b, op, range)) {
                    matching.add(b.index());
                }
            }
        }
        boolean negate = "notin".equals(op);
        if (matching.isEmpty()) {
            return negate ? "1 = 1" : "1 = 0";
        }
        Collections.sort(matching);
        ctx.params.addAll(matching);
        String list = field.column() + " IN (" + placeholders(matching.size()) + ")";
        return negate ? "(" + field.column() + " IS NULL OR NOT " + list + ")" : list;
    }

    static boolean bucketWithin(Field.Bucket b, String op, long[] range) {
        return switch (op) {
            case "gt" -> b.min() > range[0];
            case "gte" -> b.min() >= range[0];
            case "lt" -> b.max().isPresent() && b.max().get() < range[0];
            case "lte" -> b.max().isPresent() && b.max().get() <= range[0];
            default -> b.min() >= range[0] && b.max().isPresent() && b.max().get() <= range[1];
        };
    }

    private String bool(Field field, String op, Object value, String at, Context ctx) {
        if (!(value instanceof Boolean b)) {
            ctx.errors.add(new DomainException.FieldError(at, "expected true or false"));
            return "1 = 0";
        }
        ctx.params.add(b);
        return "eq".equals(op) ? field.column() + " = ?" : "(" + field.column() + " IS NULL OR " + field.column() + " <> ?)";
    }

    private static List<String> strings(Object value, String at, Context ctx) {
        if (!(value instanceof List<?> list) || list.isEmpty() || list.size() > MAX_VALUES
                || !list.stream().allMatch(v -> v instanceof String s && !s.isEmpty() && s.length() <= 200)) {
            ctx.errors.add(new DomainException.FieldError(at,
                    "expected a non-empty array of at most " + MAX_VALUES + " non-empty strings"));
            return List.of();
        }
        return list.stream().map(String.class::cast).distinct().toList();
    }

    /**
     * One integer for comparisons, two ordered integers for between; empty after reporting an error. An integer
     * may come as a JSON number or as a string of decimal digits ({@code "200"}): Delivr's rule values are strings.
     */
    private static long[] numbers(String op, Object value, String at, Context ctx) {
        if ("between".equals(op)) {
            if (value instanceof List<?> list && list.size() == 2 && integral(list.get(0)).isPresent()
                    && integral(list.get(1)).isPresent()) {
                long lo = integral(list.get(0)).getAsLong();
                long hi = integral(list.get(1)).getAsLong();
                if (lo <= hi) {
                    return new long[] {lo, hi};
                }
            }
            ctx.errors.add(new DomainException.FieldError(at, "expected [min, max] with integers min <= max"));
            return new long[0];
        }
        OptionalLong single = integral(value);
        if (single.isPresent()) {
            return new long[] {single.getAsLong()};
        }
        ctx.errors.add(new DomainException.FieldError(at, "expected an integer"));
        return new long[0];
    }

    private static final Pattern DIGITS = Pattern.compile("-?[0-9]{1,18}");

    private static OptionalLong integral(Object value) {
        if (value instanceof String s && DIGITS.matcher(s).matches()) {
            return OptionalLong.of(Long.parseLong(s));
        }
        if (!(value instanceof BigDecimal d)) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(d.longValueExact());
        } catch (ArithmeticException e) {
            return OptionalLong.empty();
        }
    }

    private static String placeholders(int n) {
        return String.join(", ", Collections.nCopies(n, "?"));
    }
}
