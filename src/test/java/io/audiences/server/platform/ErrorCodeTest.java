package io.audiences.server.platform;

import java.util.Arrays;
import java.util.List;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

/** The codes the server can answer are exactly those {@code openapi.yaml} documents in {@code x-problem-codes}. */
class ErrorCodeTest {

    private static final List<String> DOCUMENTED = Contract.load().problemCodes().stream()
            .map(Contract.ProblemCode::code).toList();
    private static final List<String> CODES = Arrays.stream(ErrorCode.values()).map(ErrorCode::code).toList();

    @Test
    void everyCodeTheServerCanAnswerIsDocumented() {
        assertThat(CODES.stream().filter(c -> !DOCUMENTED.contains(c)).toList(), is(empty()));
    }

    @Test
    void everyDocumentedCodeIsOneTheServerCanAnswer() {
        assertThat(DOCUMENTED.stream().filter(c -> !CODES.contains(c)).toList(), is(empty()));
    }

    @Test
    void theCodesAreListedInTheContractsOrder() {
        assertThat(CODES, equalTo(DOCUMENTED));
    }

    /** Every constant is named by some class of the server: a documented code nothing answers is a dead entry. */
    @Test
    void everyCodeIsUsed() {
        JavaClass errorCode = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.audiences.server").get(ErrorCode.class);
        List<String> unused = Arrays.stream(ErrorCode.values())
                .filter(c -> errorCode.getField(c.name()).getAccessesToSelf().stream()
                        .allMatch(access -> access.getOriginOwner().equals(errorCode)))
                .map(ErrorCode::code).toList();
        assertThat(unused, is(empty()));
    }
}
