package io.audiences.server.results;

import io.audiences.model.ContactDto;

/** The wire form of a contact, shared by samples and NDJSON downloads. */
public final class AudienceContacts {

    private AudienceContacts() {
    }

    public static ContactDto dto(Contact c) {
        return new ContactDto()
                .recordId(c.recordId()).profileId(c.profileId())
                .firstName(c.firstName()).lastName(c.lastName()).gender(c.gender()).ageRange(c.ageRange())
                .jobTitle(c.jobTitle()).jobTitleNormalized(c.jobTitleNormalized()).department(c.department())
                .seniorityLevel(c.seniorityLevel()).personalEmail(c.personalEmail())
                .currentBusinessEmail(c.currentBusinessEmail()).linkedinUrl(c.linkedinUrl()).mobilePhone(c.mobilePhone())
                .mobilePhones(c.mobilePhone())
                .personalCity(c.personalCity()).personalState(c.personalState()).personalStateCode(c.personalStateCode())
                .personalZip(c.personalZip()).personalCountry(c.personalCountry())
                .companyName(c.companyName()).companyDomain(c.companyDomain()).companyIndustry(c.companyIndustry())
                .companyEmployeeCount(c.companyEmployeeCount()).companyRevenue(c.companyRevenue())
                .intentFrequency(c.intentFrequency()).impressionCount(c.impressionCount());
    }
}
