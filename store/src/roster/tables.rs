//! The roster tables: one per rostering file of OneRoster 1.2.1 (migrations `0002_roster.sql`).

/// Columns every roster table has before its spec columns, in table order.
pub const BOOKKEEPING: &[&str] =
    &["sourced_id", "source_id", "status", "date_last_modified", "created_revision", "revision", "hash", "metadata"];

/// One roster table and the 1.2.1 CSV file it mirrors.
#[derive(Debug, PartialEq, Eq)]
pub struct Table {
    /// The SQL table name, also the entity name in reports and history (`academic_sessions`).
    pub name: &'static str,
    /// The 1.2.1 CSV file (`academicSessions.csv`).
    pub file: &'static str,
    /// The spec columns after `sourcedId,status,dateLastModified` (passwords excluded), as SQL
    /// column names.
    pub columns: &'static [&'static str],
    /// The same columns as CSV header names.
    pub csv: &'static [&'static str],
}

impl Table {
    /// Every column of the table in order: bookkeeping, then spec columns.
    pub fn all_columns(&self) -> impl Iterator<Item = &'static str> + '_ {
        BOOKKEEPING.iter().copied().chain(self.columns.iter().copied())
    }

    /// The CSV file name without `.csv` (`academicSessions`): what references name.
    pub fn stem(&self) -> &'static str {
        self.file.trim_end_matches(".csv")
    }
}

/// All roster tables, in the order an import applies them (referenced files first).
pub const TABLES: &[Table] = &[
    Table { name: "orgs", file: "orgs.csv", columns: &["name", "type", "identifier", "parent_sourced_id"], csv: &["name", "type", "identifier", "parentSourcedId"] },
    Table { name: "academic_sessions", file: "academicSessions.csv", columns: &["title", "type", "start_date", "end_date", "parent_sourced_id", "school_year"], csv: &["title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear"] },
    Table { name: "courses", file: "courses.csv", columns: &["school_year_sourced_id", "title", "course_code", "grades", "org_sourced_id", "subjects", "subject_codes"], csv: &["schoolYearSourcedId", "title", "courseCode", "grades", "orgSourcedId", "subjects", "subjectCodes"] },
    Table { name: "classes", file: "classes.csv", columns: &["title", "grades", "course_sourced_id", "class_code", "class_type", "location", "school_sourced_id", "term_sourced_ids", "subjects", "subject_codes", "periods"], csv: &["title", "grades", "courseSourcedId", "classCode", "classType", "location", "schoolSourcedId", "termSourcedIds", "subjects", "subjectCodes", "periods"] },
    Table { name: "users", file: "users.csv", columns: &["enabled_user", "username", "user_ids", "given_name", "family_name", "middle_name", "identifier", "email", "sms", "phone", "agent_sourced_ids", "grades", "user_master_identifier", "preferred_given_name", "preferred_middle_name", "preferred_family_name", "primary_org_sourced_id", "pronouns"], csv: &["enabledUser", "username", "userIds", "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades", "userMasterIdentifier", "preferredGivenName", "preferredMiddleName", "preferredFamilyName", "primaryOrgSourcedId", "pronouns"] },
    Table { name: "user_profiles", file: "userProfiles.csv", columns: &["user_sourced_id", "profile_type", "vendor_id", "application_id", "description", "credential_type", "username"], csv: &["userSourcedId", "profileType", "vendorId", "applicationId", "description", "credentialType", "username"] },
    Table { name: "roles", file: "roles.csv", columns: &["user_sourced_id", "role_type", "role", "begin_date", "end_date", "org_sourced_id", "user_profile_sourced_id"], csv: &["userSourcedId", "roleType", "role", "beginDate", "endDate", "orgSourcedId", "userProfileSourcedId"] },
    Table { name: "enrollments", file: "enrollments.csv", columns: &["class_sourced_id", "school_sourced_id", "user_sourced_id", "role", "is_primary", "begin_date", "end_date"], csv: &["classSourcedId", "schoolSourcedId", "userSourcedId", "role", "primary", "beginDate", "endDate"] },
    Table { name: "demographics", file: "demographics.csv", columns: &["birth_date", "sex", "american_indian_or_alaska_native", "asian", "black_or_african_american", "native_hawaiian_or_other_pacific_islander", "white", "demographic_race_two_or_more_races", "hispanic_or_latino_ethnicity", "country_of_birth_code", "state_of_birth_abbreviation", "city_of_birth", "public_school_residence_status"], csv: &["birthDate", "sex", "americanIndianOrAlaskaNative", "asian", "blackOrAfricanAmerican", "nativeHawaiianOrOtherPacificIslander", "white", "demographicRaceTwoOrMoreRaces", "hispanicOrLatinoEthnicity", "countryOfBirthCode", "stateOfBirthAbbreviation", "cityOfBirth", "publicSchoolResidenceStatus"] },
];

/// The table a reference target (`classes`, a CSV stem) lives in.
pub fn by_stem(stem: &str) -> Option<&'static Table> {
    TABLES.iter().find(|t| t.stem() == stem)
}

/// The table by SQL name.
pub fn by_name(name: &str) -> Option<&'static Table> {
    TABLES.iter().find(|t| t.name == name)
}

#[cfg(test)]
mod tests {
    use oneroster::{csv::file_spec, Version};

    use super::*;

    #[test]
    fn csv_columns_are_the_spec_columns_without_passwords() {
        for table in TABLES {
            let spec = file_spec(Version::V1p2, table.file).unwrap();
            let expected: Vec<&str> = spec
                .columns
                .iter()
                .map(|c| c.name)
                .filter(|n| !["sourcedId", "status", "dateLastModified", "password"].contains(n))
                .collect();
            assert_eq!(table.csv, expected.as_slice(), "{}", table.file);
            assert_eq!(table.columns.len(), table.csv.len());
        }
    }
}
