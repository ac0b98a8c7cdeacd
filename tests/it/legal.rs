//! The legal registry as an operator and a reader meet it: `lienthong legal`
//! on the real binary, the pages' footer and the README's domain section.

use lienthong::domain::legal::{self, TEXTS};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_lienthong");

fn line_after<'a>(report: &'a str, heading: &str) -> &'a str {
    let at = report
        .find(heading)
        .unwrap_or_else(|| panic!("`lienthong legal` does not list {heading}:\n{report}"));
    report[at..].lines().nth(1).unwrap_or_default()
}

#[test]
fn lienthong_legal_prints_every_text_with_its_standing_and_every_table() {
    let out = Command::new(BIN).arg("legal").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = String::from_utf8(out.stdout).unwrap();
    for t in TEXTS {
        assert!(
            report.contains(&format!("  {} — ", t.number)),
            "{} missing:\n{report}",
            t.number
        );
    }
    assert!(line_after(&report, "  61/2018/NĐ-CP — ").contains("replaced by 118/2025/NĐ-CP"));
    assert!(line_after(&report, "  22/2019/TT-BTTTT — ").contains("replaced by 21/2023/TT-BTTTT"));
    let circular = line_after(&report, "  21/2023/TT-BTTTT — ");
    assert!(
        circular.contains("in force") && circular.contains("amended by 11/2025/TT-BKHCN"),
        "{circular}"
    );
    assert!(line_after(&report, "  11/2025/TT-BKHCN — ").contains("effective 01/08/2025"));
    for table in legal::TABLES {
        assert!(report.contains(table.name), "table {} missing", table.name);
    }
    assert!(
        report.contains("  receive: 61/2018/NĐ-CP Arts. 17–20"),
        "{report}"
    );
    assert!(
        report.contains("  manage_parked: an operator's tool"),
        "{report}"
    );
}

/// Every legal text the shared layout cites is one the registry holds in
/// force: the footer may not name a replaced circular again.
#[test]
fn the_pages_footer_cites_only_texts_in_force() {
    let layout = include_str!("../../src/web/templates/layout.html");
    let footer = &layout[layout.find("<footer").expect("layout has a footer")..];
    let cited: Vec<&str> = TEXTS
        .iter()
        .map(|t| t.number)
        .filter(|n| footer.contains(n))
        .collect();
    assert!(cited.contains(&"118/2025/NĐ-CP"), "{footer}");
    for number in cited {
        assert!(
            legal::in_force(number),
            "the footer cites {number}, which is no longer in force"
        );
    }
}

#[test]
fn the_readmes_domain_section_names_every_text_and_table_source() {
    let readme = include_str!("../../README.md");
    let section = readme
        .split("## The rules it follows")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("README has a section on the rules it follows");
    for t in TEXTS {
        assert!(
            section.contains(t.number),
            "README's domain section does not name {}",
            t.number
        );
    }
    assert!(section.contains("lienthong legal"));
}
