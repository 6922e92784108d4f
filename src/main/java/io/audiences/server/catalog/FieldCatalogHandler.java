package io.audiences.server.catalog;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

import io.audiences.api.FieldCatalogService;
import io.audiences.model.FieldCategory;
import io.audiences.model.FieldDataType;
import io.audiences.model.FieldDefinition;
import io.audiences.model.FieldOption;
import io.audiences.model.FieldType;
import io.audiences.model.FilterOperator;
import io.audiences.server.platform.HttpIo;

import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** HTTP face of the field catalog. */
public final class FieldCatalogHandler implements FieldCatalogService {

    /** When the catalog's definitions were introduced; the catalog is part of the code. */
    private static final OffsetDateTime DEFINED = OffsetDateTime.of(2026, 6, 1, 0, 0, 0, 0, ZoneOffset.UTC);

    private final FieldCatalog catalog;

    public FieldCatalogHandler(FieldCatalog catalog) {
        this.catalog = catalog;
    }

    @Override
    public void listFieldCatalog(ServerRequest req, ServerResponse res) {
        Optional<String> category = HttpIo.queryEnum(req, "category", FieldCategory::fromValue).map(FieldCategory::toString);
        boolean includeOptions = HttpIo.queryBoolean(req, "include_options", true);
        List<FieldDefinition> fields = new ArrayList<>();
        List<Field> all = catalog.fields();
        for (int i = 0; i < all.size(); i++) {
            Field f = all.get(i);
            if (category.isEmpty() || category.get().equals(f.category())) {
                fields.add(dto(f, i, includeOptions));
            }
        }
        HttpIo.json(res, Status.OK_200, new io.audiences.model.FieldCatalog().totalCount(fields.size()).fields(fields));
    }

    private static FieldDefinition dto(Field f, int order, boolean includeOptions) {
        FieldDefinition d = new FieldDefinition()
                .id(UUID.nameUUIDFromBytes(("field:" + f.key()).getBytes(StandardCharsets.UTF_8)))
                .fieldKey(f.key())
                .displayName(f.displayName())
                .category(FieldCategory.fromValue(f.category()))
                .dataType(FieldDataType.fromValue(f.kind().dataType()))
                .schemaTypes(List.of(FieldDefinition.SchemaTypesEnum.AUDIENCE))
                .fieldType(FieldType.fromValue(f.kind().fieldType()))
                .operators(f.operators().stream().map(FilterOperator::fromValue).toList())
                .status(FieldDefinition.StatusEnum.ACTIVE)
                .sortOrder(order)
                .createdAt(DEFINED);
        if (includeOptions) {
            if (!f.buckets().isEmpty()) {
                d.options(f.buckets().stream().map(b -> new FieldOption().value(b.label()).label(b.label())
                        .min(b.min()).max(b.max().orElse(null))).toList());
            } else if (!f.options().isEmpty()) {
                d.options(f.options().stream().map(o -> new FieldOption().value(o)
                        .label(o.substring(0, 1).toUpperCase(Locale.ROOT) + o.substring(1))).toList());
            }
        }
        return d;
    }
}
