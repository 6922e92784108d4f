package io.audiences.server.results;

/** One member of a snapshot with its record's fields; bucketed values are already labels. */
public record Contact(long buildId, long recordId, long profileId, int intentFrequency, long impressionCount,
                      String firstName, String lastName, String gender, String ageRange, String jobTitle,
                      String jobTitleNormalized, String department, String seniorityLevel, String personalEmail,
                      String currentBusinessEmail, String linkedinUrl, String mobilePhone, String personalCity,
                      String personalState, String personalStateCode, String personalZip, String personalCountry,
                      String companyName, String companyDomain, String companyIndustry, String companyEmployeeCount,
                      String companyRevenue) { }
