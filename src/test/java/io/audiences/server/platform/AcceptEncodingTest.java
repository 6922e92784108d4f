package io.audiences.server.platform;

import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** Which Accept-Encoding headers get a gzip-coded download. */
class AcceptEncodingTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "gzip|true",
        "gzip, deflate, br|true",
        "deflate, GZIP;q=0.5|true",
        "x-gzip|true",
        "*|true",
        "identity|false",
        "br, deflate|false",
        "gzip;q=0|false",
        "gzip; q=0.000|false",
        "*, gzip;q=0|false",
        "*;q=0|false",
        "gzip;q=oops|false",
        "''|false",
    })
    void negotiates(String header, boolean gzip) {
        assertThat(HttpIo.acceptsGzip(Optional.of(header)), is(gzip));
    }
}
