package io.audiences.codegen;

import org.openapitools.codegen.languages.JavaHelidonServerCodegen;

import static org.openapitools.codegen.utils.StringUtils.camelize;

/**
 * The stock java-helidon-server generator with API interface names that honour {@code apiNameSuffix}.
 *
 * <p>Upstream hard-codes {@code <Tag>Service} (its {@code toApiName} ignores the suffix option every other Java
 * generator reads), and {@code Service} is the suffix of the hand-written domain services: the generated
 * {@code TaxonomyService} and the domain {@code taxonomy.TaxonomyService} had the same simple name, and
 * {@code AudiencesService} sat next to {@code AudienceService}. Only the name changes; the templates, and so
 * the routing and the interfaces' methods, are upstream's.
 */
public final class HelidonServerCodegen extends JavaHelidonServerCodegen {

    @Override
    public String toApiName(String name) {
        return camelize(sanitizeName(name.isEmpty() ? "default" : name)) + apiNameSuffix;
    }
}
