package io.audiences.server;

import java.util.Set;
import java.util.stream.Collectors;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.lang.conditions.ArchConditions.have;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The package rules every change keeps: capabilities form no cycle (so each can be read, tested and moved on its
 * own), the domain (services and stores) knows nothing of HTTP, which stays in handlers and the platform's
 * request plumbing, and no hand-written class takes a generated class's name.
 */
class ArchitectureTest {

    private static final String ROOT = "io.audiences.server";

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
    }

    @Test
    void packagesFormNoCycle() {
        // The root package (Main, Application) is a slice of its own: "server" stands for it, so the composition
        // root may use every capability but none may call back into it.
        slices().assignedFrom(CAPABILITY_OR_ROOT)
                .should().beFreeOfCycles()
                .check(classes);
    }

    @Test
    void servicesAndStoresUseNoHttpType() {
        noClasses().that().haveSimpleNameEndingWith("Service")
                .or().haveSimpleNameEndingWith("Store")
                .should().dependOnClassesThat().resideInAnyPackage("io.helidon.http..", "io.helidon.webserver..")
                .because("HTTP belongs to the handlers; services and stores are called from handlers, workers "
                        + "and commands alike")
                .check(classes);
    }

    @Test
    void noClassTakesAGeneratedName() {
        // generated/ names its interfaces <Tag>Api and its DTOs <Schema>Dto so that a handler imports the interface,
        // the DTO and the domain class (AudienceDto is the wire form of the domain's Audience) instead of spelling
        // one of them out in full. A hand-written class with a generated name would bring that back.
        Set<String> generated = new ClassFileImporter().importPackages("io.audiences.api", "io.audiences.model")
                .stream().map(JavaClass::getSimpleName).collect(Collectors.toSet());
        assertFalse(generated.isEmpty(), "the generated classes are on the test classpath");
        noClasses().should(have(describe("the simple name of a class in io.audiences.api or io.audiences.model",
                        c -> generated.contains(c.getSimpleName()))))
                .check(classes);
    }

    /** One slice per package directly under io.audiences.server, and one ("server") for that package itself. */
    private static final SliceAssignment CAPABILITY_OR_ROOT = new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
            String pkg = javaClass.getPackageName();
            if (pkg.equals(ROOT)) {
                return SliceIdentifier.of("server");
            }
            if (!pkg.startsWith(ROOT + ".")) {
                return SliceIdentifier.ignore();
            }
            String rest = pkg.substring(ROOT.length() + 1);
            int dot = rest.indexOf('.');
            return SliceIdentifier.of(dot < 0 ? rest : rest.substring(0, dot));
        }

        @Override
        public String getDescription() {
            return "packages under " + ROOT + ", the root included";
        }
    };
}
