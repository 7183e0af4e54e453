//! Tests of reading inventory files: what is imported, and what each problem is called.

use serde_json::Value;

use super::checks::is_cpe23;
use super::spreadsheet::column_letters;
use super::*;
use crate::software::Purl;

const VALID_CSV: &str = include_str!("../../../tests/fixtures/alerts/inventory_valid.csv");
const HALF_VALID_CSV: &str =
    include_str!("../../../tests/fixtures/alerts/inventory_half_valid.csv");
const VALID_SBOM: &str =
    include_str!("../../../tests/fixtures/alerts/inventory_sbom_valid.cdx.json");
const HALF_VALID_SBOM: &str =
    include_str!("../../../tests/fixtures/alerts/inventory_sbom_half_valid.cdx.json");
const MALFORMED_SBOM: &str =
    include_str!("../../../tests/fixtures/alerts/inventory_sbom_malformed.cdx.json");
const KEV: &str = include_str!("../../../tests/fixtures/alerts/kev_valid.json");
const HEADINGS: &str = "vendor,product,version,count,location\n";

fn csv(rows: &str) -> Result<Vec<InventoryItem>, InventoryError> {
    parse("inventory.csv", format!("{HEADINGS}{rows}").as_bytes())
}

fn problems(result: Result<Vec<InventoryItem>, InventoryError>) -> Vec<String> {
    match result {
        Err(error) => error.problems,
        Ok(items) => panic!("expected the file to be refused, got {items:?}"),
    }
}

/// The items of a file, for the tests about what is read and refused.
fn parse(filename: &str, bytes: &[u8]) -> Result<Vec<InventoryItem>, InventoryError> {
    super::parse(filename, bytes).map(|p| p.items)
}

fn only_problem(result: Result<Vec<InventoryItem>, InventoryError>) -> String {
    let mut all = problems(result);
    assert_eq!(all.len(), 1, "{all:?}");
    all.remove(0)
}

/// Whether the shared reader takes the text as a package URL, as inventories require.
fn is_purl(text: &str) -> bool {
    text.parse::<Purl>().is_ok()
}

fn sbom(components: Value) -> Vec<u8> {
    serde_json::json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "components": components
    })
    .to_string()
    .into_bytes()
}

#[test]
fn reads_the_valid_csv_sample() {
    let items = parse("inventory.csv", VALID_CSV.as_bytes()).unwrap();
    assert_eq!(items.len(), 6);
    assert_eq!(
        items[0],
        InventoryItem {
            vendor: "Microsoft".into(),
            product: "Windows 11 Enterprise".into(),
            version: "23H2".into(),
            count: 1450,
            location: "All sites".into(),
            cpe: Some("cpe:2.3:o:microsoft:windows_11_23h2:*:*:*:*:*:*:*:*".into()),
            purl: None,
        }
    );
    assert_eq!(items[2].location, "Pathology lab, building 4");
    assert_eq!(
        items[2].purl.as_deref(),
        Some("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1")
    );
    let lodash = &items[3];
    assert_eq!((lodash.vendor.as_str(), lodash.count), ("", 1));
    assert_eq!(items[4].product, items[5].product);
    assert_ne!(items[4].location, items[5].location);
}

#[test]
fn one_bad_row_refuses_the_whole_csv_naming_that_row() {
    assert_eq!(
        only_problem(parse("inventory.csv", HALF_VALID_CSV.as_bytes())),
        "Row 7: enter a whole number for count, like 12 (you entered 'twelve')"
    );
}

#[test]
fn headings_may_be_in_any_order_and_case_after_a_byte_order_mark() {
    let file = "\u{FEFF} LOCATION ,Count,Product,Version,vendor\nWard 4,3,Firefox,126.0,Mozilla\n";
    let items = parse("x.csv", file.as_bytes()).unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(
        (
            items[0].vendor.as_str(),
            items[0].product.as_str(),
            items[0].version.as_str(),
            items[0].count,
            items[0].location.as_str()
        ),
        ("Mozilla", "Firefox", "126.0", 3, "Ward 4")
    );
}

#[test]
fn unknown_headings_are_named_with_the_expected_ones() {
    let file = "vendor,product,version,count,location,Owner,Qty\n";
    assert_eq!(
        only_problem(parse("x.csv", file.as_bytes())),
        "Row 1 should hold the column headings. These are not headings CareCERT knows: \
         'Owner', 'Qty'. The headings are vendor, product, version, count and location, and \
         optionally cpe and purl"
    );
}

#[test]
fn missing_and_repeated_headings_are_named() {
    let file = "vendor,product,Product,version\nA,B,C,1\n";
    assert_eq!(
        problems(parse("x.csv", file.as_bytes())),
        vec![
            "Row 1: the heading 'product' appears more than once",
            "Row 1: these column headings are missing: count, location. The headings are \
             vendor, product, version, count and location, and optionally cpe and purl",
        ]
    );
}

#[test]
fn a_file_without_rows_is_refused() {
    for file in [
        "",
        "   \n\n",
        HEADINGS,
        "vendor,product,version,count,location\n,,,,\n\n",
    ] {
        assert_eq!(
            only_problem(parse("x.csv", file.as_bytes())),
            "The file has no inventory rows",
            "{file:?}"
        );
    }
}

#[test]
fn counts_must_be_whole_numbers_in_range() {
    for (raw, expected) in [("0", 0), ("1000000", 1_000_000), (" 7 ", 7), ("", 1)] {
        let items = csv(&format!("Acme,Widget,1,{raw},Ward\n")).unwrap();
        assert_eq!(items[0].count, expected, "{raw:?}");
    }
    for (raw, expected) in [
        (
            "twelve",
            "enter a whole number for count, like 12 (you entered 'twelve')",
        ),
        (
            "1.5",
            "enter a whole number for count, like 12 (you entered '1.5')",
        ),
        (
            "1,000",
            "enter a whole number for count, like 12 (you entered '1,000')",
        ),
        (
            "-1",
            "count must be between 0 and 1,000,000 (you entered '-1')",
        ),
        (
            "1000001",
            "count must be between 0 and 1,000,000 (you entered '1000001')",
        ),
        (
            "99999999999999999999999",
            "count must be between 0 and 1,000,000 (you entered '99999999999999999999999')",
        ),
    ] {
        assert_eq!(
            only_problem(csv(&format!("Acme,Widget,1,\"{raw}\",Ward\n"))),
            format!("Row 2: {expected}")
        );
    }
}

#[test]
fn the_vendor_may_be_left_out_only_when_a_cpe_or_purl_identifies_the_product() {
    let file = "vendor,product,version,count,location,cpe,purl\n\
                ,log4j,2.14.1,1,Lab,cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*,\n\
                ,lodash,4.17.20,1,Portal,,pkg:npm/lodash@4.17.20\n";
    assert_eq!(parse("x.csv", file.as_bytes()).unwrap().len(), 2);
    assert_eq!(
        only_problem(csv(",Widget,1,1,Ward\n")),
        "Row 2: the vendor is missing. Give the vendor, or a CPE or package URL (purl) that \
         identifies the product"
    );
}

#[test]
fn the_product_is_required() {
    assert_eq!(
        only_problem(csv("Acme, ,1,1,Ward\n")),
        "Row 2: the product name is missing"
    );
}

#[test]
fn values_longer_than_200_characters_are_refused() {
    let at_limit = "é".repeat(200);
    assert!(csv(&format!("Acme,{at_limit},1,1,Ward\n")).is_ok());
    let over = "a".repeat(201);
    assert_eq!(
        only_problem(csv(&format!("Acme,Widget,1,1,{over}\n"))),
        "Row 2: the location is 201 characters long; the most allowed is 200"
    );
}

#[test]
fn an_sbom_value_padded_past_200_characters_is_refused_as_the_schema_says() {
    // 200 characters once trimmed, 201 as sent: the OpenAPI schema's maxLength refuses it,
    // so the reader must too.
    let purl = format!("pkg:npm/{}", "a".repeat(192));
    assert_eq!(purl.chars().count(), 200);
    let fits = sbom(serde_json::json!([{ "name": "x", "purl": purl }]));
    assert!(parse("sbom.json", &fits).is_ok());
    let padded = sbom(serde_json::json!([{ "name": "x", "purl": format!(" {purl}") }]));
    let problem = only_problem(parse("sbom.json", &padded));
    assert!(
        problem.contains("is 201 characters long; the most allowed is 200"),
        "{problem}"
    );
}

#[test]
fn invisible_characters_are_refused() {
    assert_eq!(
        only_problem(csv("Acme,\"Wid\nget\",1,1,Ward\n")),
        "Row 2: the product name contains a line break or another invisible character; \
         remove it"
    );
}

#[test]
fn values_that_look_like_formulas_are_stored_as_given() {
    let items = csv("Acme,\"=HYPERLINK(\"\"http://x.example\"\")\",1,1,+Ward\n").unwrap();
    assert_eq!(items[0].product, "=HYPERLINK(\"http://x.example\")");
    assert_eq!(items[0].location, "+Ward");
}

#[test]
fn rows_with_the_wrong_number_of_values_are_named() {
    assert_eq!(
        only_problem(csv("Acme,Widget,1,1,Ward,extra\n")),
        "Row 2: has 6 values but there are 5 column headings. If a value contains a comma, \
         put the value in double quotes"
    );
    assert_eq!(
        only_problem(csv("Acme,Widget\n")),
        "Row 2: has 2 values but there are 5 column headings. If a value contains a comma, \
         put the value in double quotes"
    );
}

#[test]
fn blank_headed_columns_must_stay_empty() {
    let file = "vendor,product,version,count,location,,\nAcme,Widget,1,1,Ward,,\nAcme,Gadget,1,1,Ward,,x\n";
    assert_eq!(
        only_problem(parse("x.csv", file.as_bytes())),
        "Row 3: column G has a value but no heading"
    );
}

#[test]
fn row_numbers_match_the_lines_people_see() {
    let result = csv("Acme,Widget,1,1,Ward\n\nAcme,Widget,1,lots,Ward\n");
    assert_eq!(
        only_problem(result),
        "Row 4: enter a whole number for count, like 12 (you entered 'lots')"
    );
    let windows_endings = "\r\n\r\nvendor,product,version,count,location\r\n\r\n\r\nA,B,1,x,C\r\n";
    assert_eq!(
        only_problem(parse("x.csv", windows_endings.as_bytes())),
        "Row 6: enter a whole number for count, like 12 (you entered 'x')"
    );
    let cell_with_line_breaks = csv("Acme,\"Wid\n\nget\",1,1,Ward\nAcme,Widget,1,x,Ward\n");
    assert_eq!(
        problems(cell_with_line_breaks),
        vec![
            "Row 2: the product name contains a line break or another invisible character; \
             remove it",
            "Row 3: enter a whole number for count, like 12 (you entered 'x')",
        ]
    );
}

#[test]
fn semicolon_and_tab_separated_files_are_read() {
    let semicolons = "vendor;product;version;count;location\nAcme;Widget, Pro;1;2;Ward\n";
    let items = parse("x.csv", semicolons.as_bytes()).unwrap();
    assert_eq!(
        (items[0].product.as_str(), items[0].count),
        ("Widget, Pro", 2)
    );
    let tabs = "vendor\tproduct\tversion\tcount\tlocation\nAcme\tWidget\t1\t4\tWard\n";
    assert_eq!(parse("x.tsv", tabs.as_bytes()).unwrap()[0].count, 4);
}

#[test]
fn cpe_names_must_have_the_2_3_shape() {
    for good in [
        "cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*",
        "cpe:2.3:o:microsoft:windows_10:-:*:*:*:*:*:x64:*",
        "cpe:2.3:a:vendor:prod\\:uct:1.0:*:*:*:*:*:*:*",
    ] {
        assert!(is_cpe23(good), "{good}");
    }
    for bad in [
        "cpe:/a:apache:log4j:2.14.1",
        "cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*",
        "cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*:*",
        "cpe:2.3:x:apache:log4j:2.14.1:*:*:*:*:*:*:*",
        "cpe:2.3:a:apache::2.14.1:*:*:*:*:*:*:*",
        "cpe:2.3:a:apache:log 4j:2.14.1:*:*:*:*:*:*:*",
        "CPE:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*",
        "cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:\\",
    ] {
        assert!(!is_cpe23(bad), "{bad}");
    }
    let file =
        "vendor,product,version,count,location,cpe\nApache,Log4j,2,1,Lab,cpe:/a:apache:log4j\n";
    assert_eq!(
        only_problem(parse("x.csv", file.as_bytes())),
        "Row 2: the CPE 'cpe:/a:apache:log4j' is not a CPE 2.3 name like \
         cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*"
    );
}

#[test]
fn package_urls_need_a_type_and_a_name() {
    for good in [
        "pkg:npm/lodash@4.17.21",
        "pkg:npm/%40angular/core@17.0.0",
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar",
        "pkg:deb/debian/openssl@3.0.11?arch=amd64#usr/lib",
        "PKG:pypi/requests",
    ] {
        assert!(is_purl(good), "{good}");
    }
    for bad in [
        "npm/lodash@4.17.21",
        "pkg:lodash",
        "pkg:/lodash",
        "pkg:npm/",
        "pkg:npm/@4.17.21",
        "pkg:1npm/lodash",
        "pkg:np m/lodash",
        "pkg:",
        "pkg",
    ] {
        assert!(!is_purl(bad), "{bad}");
    }
    let file = "vendor,product,version,count,location,purl\n,lodash,4,1,Portal,npm/lodash\n";
    assert_eq!(
        only_problem(parse("x.csv", file.as_bytes())),
        "Row 2: the package URL 'npm/lodash' is not like pkg:npm/lodash@4.17.21 (it needs \
         pkg:, a type and a name)"
    );
}

#[test]
fn every_problem_in_a_row_is_listed() {
    let file = "vendor,product,version,count,location,cpe\n,,1,x,Ward,cpe:bad\n";
    assert_eq!(
        problems(parse("x.csv", file.as_bytes())),
        vec![
            "Row 2: enter a whole number for count, like 12 (you entered 'x')",
            "Row 2: the product name is missing",
            "Row 2: the CPE 'cpe:bad' is not a CPE 2.3 name like \
             cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*",
        ]
    );
}

#[test]
fn only_twenty_problems_are_listed_then_the_rest_counted() {
    let rows: String = (0..30).map(|_| "Acme,Widget,1,many,Ward\n").collect();
    let listed = problems(csv(&rows));
    assert_eq!(listed.len(), 21);
    assert_eq!(
        listed[19],
        "Row 21: enter a whole number for count, like 12 (you entered 'many')"
    );
    assert_eq!(listed[20], "and 10 more problems");
    let error = csv(&rows).unwrap_err();
    assert_eq!(error.to_string().lines().count(), 21);
}

#[test]
fn long_values_are_cut_short_in_messages() {
    let long = "z".repeat(5000);
    let message = only_problem(csv(&format!("Acme,Widget,1,{long},Ward\n")));
    assert!(message.chars().count() < 120, "{message}");
    assert!(message.ends_with("…')"), "{message}");
}

#[test]
fn too_large_a_file_is_refused() {
    let mut file = format!("{HEADINGS}Acme,Widget,1,1,Ward\n").into_bytes();
    file.resize(MAX_BYTES + 1, b'\n');
    assert_eq!(
        only_problem(parse("x.csv", &file)),
        "This file is larger than 5 MB, the most CareCERT accepts. Split the inventory into \
         smaller files and upload each one"
    );
    file.truncate(MAX_BYTES);
    assert_eq!(parse("x.csv", &file).unwrap().len(), 1);
}

#[test]
fn too_many_rows_are_refused() {
    let at_limit: String = (0..MAX_ITEMS).map(|_| "A,B,1,1,C\n").collect();
    assert_eq!(csv(&at_limit).unwrap().len(), MAX_ITEMS);
    let over = format!("{at_limit}A,B,1,1,C\n");
    assert_eq!(
        only_problem(csv(&over)),
        "The file has more than 20,000 rows, the most CareCERT accepts in one upload. Split \
         it into smaller files and upload each one"
    );
}

#[test]
fn detects_the_format_by_content() {
    assert_eq!(detect("x.csv", VALID_CSV.as_bytes()), Ok(Format::Csv));
    assert_eq!(
        detect("x.csv", VALID_SBOM.as_bytes()),
        Ok(Format::CycloneDx)
    );
    assert_eq!(
        detect("x.json", b"\xEF\xBB\xBF \n\t{}"),
        Ok(Format::CycloneDx)
    );
    assert_eq!(detect("sbom.json", HEADINGS.as_bytes()), Ok(Format::Csv));
}

#[test]
fn binary_files_are_refused_clearly() {
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10";
    let message = only_problem(parse("inventory.png", png));
    assert_eq!(
        message,
        "This file is not a CSV or CycloneDX JSON file: it holds binary data, like a picture \
         or a document. Upload a CSV file or a CycloneDX SBOM in JSON"
    );
    assert!(detect("inventory.png", png).is_err());
    let latin1 = b"vendor,product,version,count,location\nNestl\xe9,App,1,1,Ward\n";
    assert!(only_problem(parse("x.csv", latin1)).contains("not UTF-8 text"));
    let utf16 = b"\xFF\xFEv\0e\0n\0";
    assert!(only_problem(parse("x.csv", utf16)).contains("UTF-16"));
}

#[test]
fn a_spreadsheet_workbook_gets_advice_to_save_as_csv() {
    let zip = b"PK\x03\x04\x14\0\x06\0\x08\0";
    assert_eq!(
        only_problem(parse("Inventory.XLSX", zip)),
        "This file is not a CSV or CycloneDX JSON file: it is a spreadsheet workbook. In \
         your spreadsheet choose Save As, pick 'CSV UTF-8', and upload that file"
    );
}

#[test]
fn xml_is_refused_with_advice() {
    let xml = b"<?xml version=\"1.0\"?><bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\"/>";
    assert!(only_problem(parse("sbom.xml", xml)).contains("export the SBOM as JSON"));
}

#[test]
fn reads_the_valid_sbom_sample_including_nested_components() {
    let items = parse("sbom.json", VALID_SBOM.as_bytes()).unwrap();
    let summary: Vec<(&str, &str, &str)> = items
        .iter()
        .map(|i| (i.vendor.as_str(), i.product.as_str(), i.version.as_str()))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("org.apache.logging.log4j", "log4j-core", "2.14.1"),
            ("", "lodash", "4.17.20"),
            ("Microsoft", ".NET Runtime", "8.0.4"),
            ("Microsoft Corporation", "System.Text.Json", "8.0.0"),
            ("Canonical", "Ubuntu", "22.04"),
            ("Example NHS Trust", "portal-settings.xml", ""),
        ]
    );
    assert!(
        items
            .iter()
            .all(|i| i.location == "Patient Portal" && i.count == 1)
    );
    assert_eq!(
        items[0].cpe.as_deref(),
        Some("cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*")
    );
    assert_eq!(items[1].purl.as_deref(), Some("pkg:npm/lodash@4.17.20"));
}

#[test]
fn an_sbom_without_a_subject_is_located_as_sbom() {
    let items = parse(
        "sbom.json",
        &sbom(serde_json::json!([{"type": "library", "author": "Acme", "name": "widget"}])),
    )
    .unwrap();
    assert_eq!(items[0].location, "SBOM");
    assert_eq!(items[0].vendor, "Acme");
}

#[test]
fn the_vendor_is_taken_from_group_then_publisher_then_supplier_then_author() {
    let component = serde_json::json!({
        "name": "widget",
        "group": " ",
        "publisher": "",
        "supplier": {"name": "Supplier Ltd"},
        "author": "Author Name"
    });
    let items = parse("s.json", &sbom(Value::Array(vec![component]))).unwrap();
    assert_eq!(items[0].vendor, "Supplier Ltd");
}

#[test]
fn one_bad_component_refuses_the_whole_sbom_naming_each() {
    assert_eq!(
        problems(parse("sbom.json", HALF_VALID_SBOM.as_bytes())),
        vec![
            "Component 2: the product name is missing",
            "Component 5 ('lodash'): the package URL 'npm/lodash@4.17.20' is not like \
             pkg:npm/lodash@4.17.21 (it needs pkg:, a type and a name)",
        ]
    );
}

#[test]
fn components_nothing_could_match_are_left_out_and_named() {
    let file = serde_json::json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "components": [
            {"type": "operating-system", "name": "debian", "version": "12.7"},
            {"type": "library", "name": "openssl", "version": "3.0.14",
             "purl": "pkg:deb/debian/openssl@3.0.14"},
            {"type": "file", "name": "/usr/lib/app/tool.jar", "cpe": " "}
        ]
    })
    .to_string();
    let parsed = super::parse("image.cdx.json", file.as_bytes()).unwrap();
    assert_eq!(parsed.items.len(), 1);
    assert_eq!(parsed.items[0].product, "openssl");
    assert_eq!(
        parsed.left_out,
        vec![
            "Component 1 ('debian')",
            "Component 3 ('/usr/lib/app/tool.jar')"
        ]
    );

    // A component with a wrong identifier is a fault to fix, not one to leave out.
    let faulty = sbom(serde_json::json!([{"name": "x", "purl": 7}]));
    assert!(
        problems(parse("s.json", &faulty))
            .iter()
            .any(|p| p.contains("'purl' is not text"))
    );

    // An SBOM of nothing matchable at all is refused, as it could only mislead.
    let nothing = sbom(serde_json::json!([{"name": "debian", "version": "12"}]));
    assert!(only_problem(parse("s.json", &nothing)).contains("no advisory could ever match"));
}

#[test]
fn a_broken_sbom_says_where_it_breaks() {
    let message = only_problem(parse("sbom.json", MALFORMED_SBOM.as_bytes()));
    assert!(
        message.starts_with(
            "This file starts like JSON but is not valid JSON: it stops part-way through"
        ),
        "{message}"
    );
    assert_eq!(
        only_problem(parse("sbom.json", b"{\"bomFormat\": CycloneDX}")),
        "This file starts like JSON but is not valid JSON: there is a mistake at line 1, \
         column 15"
    );
}

#[test]
fn a_kev_catalogue_uploaded_as_inventory_is_recognised() {
    assert_eq!(
        only_problem(parse(
            "known_exploited_vulnerabilities.json",
            KEV.as_bytes()
        )),
        "This is the CISA Known Exploited Vulnerabilities catalogue, not a software \
         inventory. Upload a CSV inventory or a CycloneDX SBOM"
    );
}

#[test]
fn other_json_is_not_an_sbom() {
    let expected =
        "This JSON file is not a CycloneDX SBOM: it should have \"bomFormat\": \"CycloneDX\"";
    assert_eq!(
        only_problem(parse("x.json", br#"{"bomFormat":"SPDX","components":[]}"#)),
        expected
    );
    assert_eq!(only_problem(parse("x.json", b"{}")), expected);
}

#[test]
fn a_cyclonedx_1_7_sbom_with_its_new_fields_is_read() {
    let file = serde_json::json!({
        "$schema": "http://cyclonedx.org/schema/bom-1.7.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.7",
        "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
        "version": 1,
        "metadata": {
            "distributionConstraints": {"tlp": "AMBER"},
            "component": {"type": "application", "name": "Pathology LIMS"}
        },
        "components": [{
            "type": "library",
            "group": "org.apache.logging.log4j",
            "name": "log4j-core",
            "version": "2.14.1",
            "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
            "licenses": [{"expression": "Apache-2.0"}, {"expression": "MIT"}],
            "patentAssertions": []
        }],
        "citations": [{"pointers": ["/components/0"], "timestamp": "2026-11-01T09:00:00Z"}]
    })
    .to_string();
    let items = parse("lims.cdx.json", file.as_bytes()).unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].product, "log4j-core");
    assert_eq!(items[0].version, "2.14.1");
    assert_eq!(
        items[0].purl.as_deref(),
        Some("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1")
    );
}

#[test]
fn only_cyclonedx_1_4_to_1_7_are_read() {
    let with_version = |v: Value| {
        serde_json::json!({
            "bomFormat": "CycloneDX",
            "specVersion": v,
            "components": [{"name": "widget", "author": "Acme"}]
        })
        .to_string()
    };
    for version in ["1.4", "1.5", "1.6", "1.7"] {
        assert!(parse("s.json", with_version(version.into()).as_bytes()).is_ok());
    }
    assert_eq!(
        only_problem(parse("s.json", with_version("1.2".into()).as_bytes())),
        "This SBOM uses CycloneDX version '1.2'; CareCERT reads versions 1.4 to 1.7"
    );
    assert!(
        only_problem(parse("s.json", with_version(Value::Null).as_bytes()))
            .contains("'specVersion'")
    );
}

#[test]
fn an_sbom_without_components_is_refused() {
    assert_eq!(
        only_problem(parse("s.json", &sbom(serde_json::json!([])))),
        "The SBOM lists no components, so there is nothing to import"
    );
    assert!(
        only_problem(parse("s.json", &sbom(serde_json::json!({"name": "x"}))))
            .contains("not a list")
    );
}

#[test]
fn malformed_components_are_named() {
    let components = serde_json::json!([
        "log4j",
        {"name": 42, "author": "Acme"},
        {"name": "widget", "author": "Acme", "version": 3, "components": "none"}
    ]);
    assert_eq!(
        problems(parse("s.json", &sbom(components))),
        vec![
            "Component 1: is not a component description",
            "Component 2: its 'name' is not text",
            "Component 2: the product name is missing",
            "Component 3 ('widget'): its 'components' is not a list",
            "Component 3 ('widget'): its 'version' is not text",
        ]
    );
}

#[test]
fn too_many_components_are_refused() {
    let one = serde_json::json!({"name": "w", "author": "A"});
    let at_limit = Value::Array(vec![one.clone(); MAX_ITEMS]);
    assert_eq!(parse("s.json", &sbom(at_limit)).unwrap().len(), MAX_ITEMS);
    let nested =
        serde_json::json!([{"name": "w", "author": "A", "components": vec![one; MAX_ITEMS]}]);
    assert_eq!(
        only_problem(parse("s.json", &sbom(nested))),
        "The file has more than 20,000 components, the most CareCERT accepts in one upload. \
         Split it into smaller files and upload each one"
    );
}

#[test]
fn an_overlong_sbom_subject_is_refused_once() {
    let file = serde_json::json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "metadata": {"component": {"name": "x".repeat(300)}},
        "components": [{"name": "a", "author": "A"}, {"name": "b", "author": "B"}]
    });
    assert_eq!(
        only_problem(parse("s.json", file.to_string().as_bytes())),
        "The SBOM: the name of the system the SBOM describes is 300 characters long; the \
         most allowed is 200"
    );
}

#[test]
fn deeply_nested_json_is_refused_without_crashing() {
    let mut hostile = "{\"a\":".repeat(50_000);
    hostile.push_str(&"}".repeat(50_000));
    assert!(only_problem(parse("s.json", hostile.as_bytes())).contains("not valid JSON"));
}

#[test]
fn column_letters_follow_spreadsheets() {
    assert_eq!(column_letters(0), "A");
    assert_eq!(column_letters(25), "Z");
    assert_eq!(column_letters(26), "AA");
    assert_eq!(column_letters(701), "ZZ");
    assert_eq!(column_letters(702), "AAA");
}

/// The format of the last upload is stored as `csv` or `cyclonedx`, and nothing else reads.
#[tokio::test]
async fn stored_format_names_are_exact() {
    use crate::platform::stored_text::{decode, encode};
    for (format, name) in [(Format::Csv, "csv"), (Format::CycloneDx, "cyclonedx")] {
        assert_eq!(format.as_str(), name);
        assert_eq!(encode(format).await.unwrap(), name);
        assert_eq!(decode::<Format>(name).await.unwrap(), format);
    }
    assert!(decode::<Format>("CSV").await.is_err());
    assert!(decode::<Format>("xlsx").await.is_err());
}
