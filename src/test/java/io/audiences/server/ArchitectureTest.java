package io.audiences.server;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package rules every change keeps: capabilities form no cycle (so each can be read, tested and moved on its
 * own), and the domain (services and stores) knows nothing of HTTP, which stays in handlers and the platform's
 * request plumbing.
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
