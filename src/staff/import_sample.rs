//! A made-up staff file of any size, the same for the same seed: what the tests and the
//! benchmarks import, so they measure and check real-looking data without real people.

/// A deterministic CSV file of `rows` people for tests and benchmarks: the header
/// `name,email,staff_group,department` and people `person1@trust.example`,
/// `person2@trust.example`, … with names, staff groups (written in assorted ways) and
/// departments chosen from `seed`.
pub fn sample_csv(rows: usize, seed: u64) -> String {
    const FIRST: [&str; 12] = [
        "Amina", "Ben", "Chloe", "Dev", "Ewa", "Femi", "Grace", "Hamza", "Isla", "Jack", "Kiran",
        "Li",
    ];
    const LAST: [&str; 12] = [
        "Smith", "Khan", "O'Brien", "Nowak", "Jones", "Adeyemi", "Patel", "Williams", "Chen",
        "Evans", "Murphy", "Taylor",
    ];
    const GROUPS: [&str; 10] = [
        "clinical",
        "Clinical",
        "admin",
        "Admin and clerical",
        "it",
        "IT and digital",
        "Digital",
        "board",
        "Board",
        "other",
    ];
    const DEPARTMENTS: [&str; 8] = [
        "Emergency department",
        "Pharmacy",
        "Finance",
        "Estates, facilities and porters",
        "Digital services",
        "Maternity",
        "",
        "",
    ];
    // SplitMix64: small, fast and the same everywhere.
    let mut state = seed;
    let mut next = move |n: usize| -> usize {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        usize::try_from(z % n as u64).unwrap_or_default()
    };
    let mut writer = csv::Writer::from_writer(Vec::with_capacity(rows * 64 + 64));
    let mut write = |fields: [&str; 4]| {
        writer
            .write_record(fields)
            .expect("writing to memory cannot fail");
    };
    write(["name", "email", "staff_group", "department"]);
    for n in 1..=rows {
        let name = format!("{} {}", FIRST[next(FIRST.len())], LAST[next(LAST.len())]);
        let email = format!("person{n}@trust.example");
        write([
            name.as_str(),
            email.as_str(),
            GROUPS[next(GROUPS.len())],
            DEPARTMENTS[next(DEPARTMENTS.len())],
        ]);
    }
    String::from_utf8(writer.into_inner().expect("flushing to memory cannot fail")).expect("UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::staff::import::parse_file;

    #[test]
    fn sample_files_are_deterministic_valid_and_distinct() {
        let a = sample_csv(500, 7);
        assert_eq!(a, sample_csv(500, 7));
        assert_ne!(a, sample_csv(500, 8));
        let parsed = parse_file(a.as_bytes()).expect("a readable file");
        assert_eq!(parsed.rows.len(), 500);
        assert!(parsed.rejected.is_empty());
        assert_eq!(parsed.rows[0].email.as_str(), "person1@trust.example");
        assert_eq!(parsed.rows[499].email.as_str(), "person500@trust.example");
        assert_eq!(parsed.rows[499].row, 501);
        assert!(
            parsed
                .rows
                .iter()
                .any(|r| r.department.as_deref() == Some("Estates, facilities and porters"))
        );
    }
}
