package io.audiences.server.results;

import java.io.FilterWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import jakarta.json.stream.JsonGenerator;
import jakarta.json.stream.JsonGeneratorFactory;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * The download formats. Output is a pure function of the snapshot, so a resumed transfer is byte-identical
 * to a single one.
 */
public enum ExportFormat {
    CSV("text/csv", "csv"),
    NDJSON("application/x-ndjson", "ndjson");

    /**
     * Column names: the sample contact's fields, under the same names. {@code mobile_phones} (Delivr's spelling) and
     * {@code mobile_phone} (the first release's) carry the same value.
     */
    public static final List<String> COLUMNS = List.of("record_id", "profile_id", "first_name", "last_name", "gender", "age_range",
            "job_title", "job_title_normalized", "department", "seniority_level", "personal_email", "current_business_email",
            "linkedin_url", "mobile_phone", "mobile_phones", "personal_city", "personal_state", "personal_state_code", "personal_zip",
            "personal_country", "company_name", "company_domain", "company_industry", "company_employee_count",
            "company_revenue", "intent_frequency", "impression_count");

    /** The CSV dialect: RFC 4180 as commons-csv writes it (CRLF, minimal quoting); {@link PostgresCsv} matches it. */
    private static final CSVFormat CSV_FORMAT = CSVFormat.RFC4180.builder().setHeader(COLUMNS.toArray(String[]::new)).get();

    private final String mediaType;
    private final String extension;

    ExportFormat(String mediaType, String extension) {
        this.mediaType = mediaType;
        this.extension = extension;
    }

    public String mediaType() {
        return mediaType;
    }

    public String extension() {
        return extension;
    }

    /** Writes contacts in this format to one writer. */
    public interface Encoder {
        void write(Contact c) throws IOException;

        void finish() throws IOException;
    }

    /** An encoder of every column, or of {@code columns} only (in their order) when that list is not empty. */
    public Encoder encoder(Writer out, List<String> columns) throws IOException {
        if (this == NDJSON) {
            return new JsonLines(out, columns.isEmpty() ? DTO_ORDER : columns.stream().mapToInt(COLUMNS::indexOf).toArray());
        }
        if (!columns.isEmpty()) {
            int[] index = columns.stream().mapToInt(COLUMNS::indexOf).toArray();
            CSVPrinter printer = new CSVPrinter(out, CSVFormat.RFC4180.builder().setHeader(columns.toArray(String[]::new)).get());
            return new Encoder() {
                @Override
                public void write(Contact c) throws IOException {
                    List<Object> all = values(c);
                    List<Object> row = new ArrayList<>(index.length);
                    for (int i : index) {
                        row.add(all.get(i));
                    }
                    printer.printRecord(row);
                }

                @Override
                public void finish() throws IOException {
                    printer.flush();
                }
            };
        }
        CSVPrinter printer = new CSVPrinter(out, CSV_FORMAT);
        return new Encoder() {
            @Override
            public void write(Contact c) throws IOException {
                printer.printRecord(values(c));
            }

            @Override
            public void finish() throws IOException {
                printer.flush();
            }
        };
    }

    /**
     * The JSON-B rendering of the Contact schema's object ({@link AudienceContacts#dto}): its properties in JSON-B's
     * default, lexicographical, order (the generated class declares none), nulls left out. NDJSON once rendered each
     * row with JSON-B: its reflective serializer was about 60 % of an NDJSON download's CPU in a JFR profile.
     */
    private static final int[] DTO_ORDER = COLUMNS.stream().sorted().mapToInt(COLUMNS::indexOf).toArray();

    private static final JsonGeneratorFactory JSON = jakarta.json.Json.createGeneratorFactory(Map.of());

    /**
     * One JSON object per line, of the columns at {@code order} (unknown values left out, as JSON-B leaves out
     * nulls), written by the JSON-P generator JSON-B itself writes through, so strings are escaped exactly as before.
     */
    private static final class JsonLines implements Encoder {

        private final Writer out;
        private final int[] order;
        /** A generator closes its writer; the response stream must stay open for the next line. */
        private final Writer line;

        JsonLines(Writer out, int[] order) {
            this.out = out;
            this.order = order;
            this.line = new FilterWriter(out) {
                @Override
                public void flush() {
                    // Flushed once, at the end: a flush per line would send a chunk per line.
                }

                @Override
                public void close() {
                    // The response stream stays open.
                }
            };
        }

        @Override
        public void write(Contact c) throws IOException {
            List<Object> all = values(c);
            try (JsonGenerator json = JSON.createGenerator(line)) {
                json.writeStartObject();
                for (int i : order) {
                    switch (all.get(i)) {
                        case null -> { }
                        case String s -> json.write(COLUMNS.get(i), s);
                        case Integer n -> json.write(COLUMNS.get(i), n);
                        case Long n -> json.write(COLUMNS.get(i), n);
                        default -> throw new IllegalStateException("No JSON type for column " + COLUMNS.get(i));
                    }
                }
                json.writeEnd();
            }
            out.write('\n');
        }

        @Override
        public void finish() throws IOException {
            out.flush();
        }
    }

    /** The CSV header line, as the row renderer writes it, for renderings whose rows come from elsewhere. */
    static String csvHeader() {
        try {
            StringWriter header = new StringWriter();
            new CSVPrinter(header, CSV_FORMAT).flush();
            return header.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Object> values(Contact c) {
        return new ArrayList<>(Arrays.asList(c.recordId(), c.profileId(), c.firstName(), c.lastName(), c.gender(),
                c.ageRange(), c.jobTitle(), c.jobTitleNormalized(), c.department(), c.seniorityLevel(), c.personalEmail(),
                c.currentBusinessEmail(), c.linkedinUrl(), c.mobilePhone(), c.mobilePhone(), c.personalCity(), c.personalState(),
                c.personalStateCode(), c.personalZip(), c.personalCountry(), c.companyName(), c.companyDomain(),
                c.companyIndustry(), c.companyEmployeeCount(), c.companyRevenue(), c.intentFrequency(), c.impressionCount()));
    }
}
