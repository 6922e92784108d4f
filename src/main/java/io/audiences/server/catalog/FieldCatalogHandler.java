package io.audiences.server.catalog;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import io.audiences.api.FieldCatalogApi;
import io.audiences.model.FieldCatalogDto;
import io.audiences.model.FieldCategoryDto;
import io.audiences.model.FieldCategoryFilterDto;
import io.audiences.model.FieldDataTypeDto;
import io.audiences.model.FieldDefinitionDto;
import io.audiences.model.FieldOptionDto;
import io.audiences.model.FieldTypeDto;
import io.audiences.model.FilterOperatorDto;
import io.audiences.server.platform.HttpIo;

import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** HTTP face of the field catalog. */
public final class FieldCatalogHandler implements FieldCatalogApi {

    /** When the catalog's definitions were introduced; the catalog is part of the code. */
    private static final OffsetDateTime DEFINED = OffsetDateTime.of(2026, 6, 1, 0, 0, 0, 0, ZoneOffset.UTC);

    /** The values of the query parameters {@code schema_type} and {@code status} (an unknown one is 400). */
    private static final Set<String> SCHEMA_TYPES = Set.of("event", "audience");
    private static final Set<String> STATUSES = Set.of("active", "deprecated", "all");

    private final FieldCatalog catalog;

    public FieldCatalogHandler(FieldCatalog catalog) {
        this.catalog = catalog;
    }

    @Override
    public void listFieldCatalog(ServerRequest req, ServerResponse res) {
        Optional<String> category = HttpIo.queryEnum(req, "category", FieldCategoryFilterDto::fromValue)
                .map(FieldCategoryFilterDto::toString);
        Optional<String> schemaType = HttpIo.queryEnum(req, "schema_type", oneOf(SCHEMA_TYPES));
        String status = HttpIo.queryEnum(req, "status", oneOf(STATUSES)).orElse("active");
        boolean includeOptions = HttpIo.queryBoolean(req, "include_options", false);
        List<FieldDefinitionDto> fields = new ArrayList<>();
        List<Field> all = catalog.fields();
        for (int i = 0; i < all.size(); i++) {
            Field f = all.get(i);
            // Every field is an active audience field: other schema types and deprecated fields match none.
            boolean matches = category.map(f.category()::equals).orElse(true)
                    && schemaType.map("audience"::equals).orElse(true)
                    && !"deprecated".equals(status);
            if (matches) {
                fields.add(dto(f, i, includeOptions));
            }
        }
        HttpIo.json(res, Status.OK_200, new FieldCatalogDto().totalCount(fields.size()).fields(fields));
    }

    /** A parser for {@link HttpIo#queryEnum} of plain string values. */
    private static Function<String, String> oneOf(Set<String> values) {
        return v -> {
            if (!values.contains(v)) {
                throw new IllegalArgumentException(v);
            }
            return v;
        };
    }

    private static FieldDefinitionDto dto(Field f, int order, boolean includeOptions) {
        FieldDefinitionDto d = new FieldDefinitionDto()
                .id(UUID.nameUUIDFromBytes(("field:" + f.key()).getBytes(StandardCharsets.UTF_8)))
                .fieldKey(f.key())
                .displayName(f.displayName())
                .category(FieldCategoryDto.fromValue(f.category()))
                .dataType(FieldDataTypeDto.fromValue(f.kind().dataType()))
                .schemaTypes(List.of(FieldDefinitionDto.SchemaTypesEnum.AUDIENCE))
                .fieldType(FieldTypeDto.fromValue(f.kind().fieldType()))
                .operators(f.operators().stream().map(FilterOperatorDto::fromValue).toList())
                .status(FieldDefinitionDto.StatusEnum.ACTIVE)
                .sortOrder(order)
                .createdAt(DEFINED);
        if (includeOptions) {
            if (!f.buckets().isEmpty()) {
                d.options(f.buckets().stream().map(b -> new FieldOptionDto().value(b.label()).label(b.label())
                        .min(b.min()).max(b.max().orElse(null))).toList());
            } else if (!f.options().isEmpty()) {
                d.options(f.options().stream().map(o -> new FieldOptionDto().value(o)
                        .label(FieldCatalog.label(o))).toList());
            }
        }
        return d;
    }
}
