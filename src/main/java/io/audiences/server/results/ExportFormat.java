package io.audiences.server.results;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.audiences.server.platform.Json;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * The download formats. Output is a pure function of the snapshot, so a resumed transfer is byte-identical
 * to a single one.
 */
public enum ExportFormat {
    CSV("text/csv", "csv"),
    NDJSON("application/x-ndjson", "ndjson");

    /** Column names: the sample contact's fields, under the same names. */
    static final List<String> COLUMNS = List.of("record_id", "profile_id", "first_name", "last_name", "gender", "age_range",
            "job_title", "job_title_normalized", "department", "seniority_level", "personal_email", "current_business_email",
            "linkedin_url", "mobile_phone", "personal_city", "personal_state", "personal_state_code", "personal_zip",
            "personal_country", "company_name", "company_domain", "company_industry", "company_employee_count",
            "company_revenue", "intent_frequency", "impression_count");

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

    public Encoder encoder(Writer out) throws IOException {
        if (this == NDJSON) {
            return new Encoder() {
                @Override
                public void write(Contact c) throws IOException {
                    // toJson(obj, writer) would close the response stream; write the string instead.
                    out.write(Json.JSONB.toJson(AudienceContacts.dto(c)));
                    out.write('\n');
                }

                @Override
                public void finish() throws IOException {
                    out.flush();
                }
            };
        }
        CSVPrinter printer = new CSVPrinter(out, CSVFormat.RFC4180.builder().setHeader(COLUMNS.toArray(String[]::new)).get());
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

    private static List<Object> values(Contact c) {
        return new ArrayList<>(Arrays.asList(c.recordId(), c.profileId(), c.firstName(), c.lastName(), c.gender(),
                c.ageRange(), c.jobTitle(), c.jobTitleNormalized(), c.department(), c.seniorityLevel(), c.personalEmail(),
                c.currentBusinessEmail(), c.linkedinUrl(), c.mobilePhone(), c.personalCity(), c.personalState(),
                c.personalStateCode(), c.personalZip(), c.personalCountry(), c.companyName(), c.companyDomain(),
                c.companyIndustry(), c.companyEmployeeCount(), c.companyRevenue(), c.intentFrequency(), c.impressionCount()));
    }
}
