//! The legal texts the hub's tables follow, and which text grounds which table.
//!
//! The status vocabulary, the step table (`machine::TRANSITIONS`), the online
//! service levels, the shared catalogues, the postal and payment vocabularies
//! all come from regulations that changed in 2021, 2023 and 2025: Decree
//! 61/2018 was amended by 107/2021 and replaced by 118/2025; Circular 22/2019
//! was replaced by 21/2023, itself amended by 11/2025. A table that cannot
//! say which text it follows cannot be checked when the next one comes, so
//! the references live here as data: `lienthong legal` prints them, the web
//! pages' footer names only texts this registry holds in force (a test checks
//! it), and the tests keep every table and every command grounded.
//!
//! How far each reference was checked is part of the reference (`Checked`):
//! the words of a provision were read (the seeds kept with the project quote
//! Circular 22/2019 and 32/2017), or a text is known only from another
//! document citing it (number, date, subject), or it was not at hand. The
//! last two are said, not hidden: a reference nobody could read is a task for
//! whoever deploys the hub, and `lienthong legal` lists them.

use super::command::CommandName;

/// How much of a reference was checked against its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checked {
    /// The provision's own words were read (quoted in `../shared/seeds/`).
    Read,
    /// Known from another document that cites it (number, date, subject);
    /// the provision's words were not read.
    Cited,
    /// Neither the text nor a citation of this provision was at hand.
    NotAtHand,
}

impl Checked {
    pub fn describe(self) -> &'static str {
        match self {
            Checked::Read => "read",
            Checked::Cited => "known from a citation",
            Checked::NotAtHand => "text not at hand",
        }
    }
}

/// One legal text: a law, decree, circular or decision.
#[derive(Debug)]
pub struct LegalText {
    /// Its number as cited, e.g. `118/2025/NĐ-CP`.
    pub number: &'static str,
    /// What it is about, in Vietnamese as titled.
    pub subject: &'static str,
    /// Date of issue, `dd/mm/yyyy`, when a source at hand gives it.
    pub issued: Option<&'static str>,
    /// Date it took effect, when known.
    pub effective: Option<&'static str>,
    /// Texts it replaces entirely.
    pub replaces: &'static [&'static str],
    /// Texts it amends in part.
    pub amends: &'static [&'static str],
    pub checked: Checked,
    /// Where what is written here comes from.
    pub source: &'static str,
}

/// A reference from one of the hub's tables to a provision.
#[derive(Debug)]
pub struct Basis {
    /// A `LegalText::number` of `TEXTS`, or `DVCQG protocol` for the
    /// national portal's exchange protocol as public implementations use it
    /// (no legal text publishes it).
    pub text: &'static str,
    pub provision: &'static str,
    pub checked: Checked,
}

/// One of the hub's tables and what grounds it.
#[derive(Debug)]
pub struct Table {
    pub name: &'static str,
    /// Where the table lives (code path or configuration file).
    pub kept_in: &'static str,
    pub bases: &'static [Basis],
    /// What the texts in force today change for this table, as far as known.
    pub current: &'static str,
}

/// The national portal's exchange protocol: not a legal text, but the
/// source of the numeric codes every system sends.
pub const PROTOCOL: &str = "DVCQG protocol";

const fn basis(text: &'static str, provision: &'static str, checked: Checked) -> Basis {
    Basis {
        text,
        provision,
        checked,
    }
}

pub const TEXTS: &[LegalText] = &[
    LegalText { number: "61/2018/NĐ-CP", subject: "Thực hiện cơ chế một cửa, một cửa liên thông trong giải quyết thủ tục hành chính", issued: Some("23/04/2018"), effective: None, replaces: &[], amends: &[], checked: Checked::Cited, source: "Circular 22/2019 Art. 4 cl. 1 cites its Arts. 17–20 (seeds 000, 001); provincial decisions of 2024–2025 cite it with 107/2021" },
    LegalText { number: "107/2021/NĐ-CP", subject: "Sửa đổi, bổ sung một số điều của Nghị định số 61/2018/NĐ-CP", issued: Some("06/12/2021"), effective: None, replaces: &[], amends: &["61/2018/NĐ-CP"], checked: Checked::Cited, source: "preambles of Tiền Giang 01/2025/QĐ-UBND and Hà Tĩnh 31/2024/QĐ-UBND" },
    LegalText { number: "118/2025/NĐ-CP", subject: "Thực hiện thủ tục hành chính theo cơ chế một cửa, một cửa liên thông tại Bộ phận Một cửa và Cổng Dịch vụ công quốc gia", issued: Some("09/06/2025"), effective: None, replaces: &["61/2018/NĐ-CP", "107/2021/NĐ-CP"], amends: &[], checked: Checked::Cited, source: "preambles of Circular 11/2025/TT-BKHCN and Thanh Hóa 128/2025/QĐ-UBND; that it replaces 61/2018 and 107/2021 is from DOMAIN.md and the issue, its effective date was not at hand" },
    LegalText { number: "03/2025/TT-VPCP", subject: "Hướng dẫn thi hành một số nội dung của Nghị định số 118/2025/NĐ-CP", issued: Some("15/09/2025"), effective: None, replaces: &[], amends: &[], checked: Checked::Cited, source: "preamble of Thanh Hóa 128/2025/QĐ-UBND" },
    LegalText { number: "22/2019/TT-BTTTT", subject: "Yêu cầu chức năng, tính năng kỹ thuật của Cổng dịch vụ công và Hệ thống thông tin một cửa điện tử cấp bộ, cấp tỉnh", issued: None, effective: None, replaces: &[], amends: &[], checked: Checked::Read, source: "Arts. 3–7 quoted in seeds 000–002" },
    LegalText { number: "21/2023/TT-BTTTT", subject: "Chức năng, tính năng kỹ thuật của Hệ thống thông tin giải quyết thủ tục hành chính cấp bộ, cấp tỉnh", issued: None, effective: None, replaces: &["22/2019/TT-BTTTT"], amends: &[], checked: Checked::Cited, source: "title as amended by Circular 11/2025/TT-BKHCN; that it replaces 22/2019 is from DOMAIN.md" },
    LegalText { number: "11/2025/TT-BKHCN", subject: "Sửa đổi, bổ sung Thông tư số 21/2023/TT-BTTTT", issued: Some("30/06/2025"), effective: Some("01/08/2025"), replaces: &[], amends: &["21/2023/TT-BTTTT"], checked: Checked::Cited, source: "its heading and preamble (number, dates, bases: Decrees 118/2025, 42/2022, 47/2020, 45/2020); the amended articles were not at hand" },
    LegalText { number: "42/2022/NĐ-CP", subject: "Cung cấp thông tin và dịch vụ công trực tuyến của cơ quan nhà nước trên môi trường mạng", issued: Some("24/06/2022"), effective: None, replaces: &["43/2011/NĐ-CP"], amends: &[], checked: Checked::Cited, source: "preamble of Circular 11/2025/TT-BKHCN; the full/partial online classes are from DOMAIN.md" },
    LegalText { number: "43/2011/NĐ-CP", subject: "Cung cấp thông tin và dịch vụ công trực tuyến trên trang thông tin điện tử hoặc cổng thông tin điện tử của cơ quan nhà nước", issued: None, effective: None, replaces: &[], amends: &[], checked: Checked::Read, source: "Art. 3 cl. 4 (levels 1–4) quoted in seed 003" },
    LegalText { number: "45/2020/NĐ-CP", subject: "Thực hiện thủ tục hành chính trên môi trường điện tử", issued: Some("08/04/2020"), effective: None, replaces: &[], amends: &[], checked: Checked::Cited, source: "preamble of Circular 11/2025/TT-BKHCN" },
    LegalText { number: "32/2017/TT-BTTTT", subject: "Cung cấp dịch vụ công trực tuyến và bảo đảm khả năng truy cập thuận tiện đối với trang thông tin điện tử hoặc cổng thông tin điện tử của cơ quan nhà nước", issued: None, effective: None, replaces: &[], amends: &[], checked: Checked::Read, source: "Arts. 11–12 quoted in seed 003; whether Decree 42/2022 left it in force was not checked" },
    LegalText { number: "31/2021/QĐ-TTg", subject: "Quy chế quản lý, vận hành, khai thác Cổng Dịch vụ công quốc gia", issued: Some("11/10/2021"), effective: None, replaces: &[], amends: &[], checked: Checked::Cited, source: "seed 004 (the portal's article of 29/10/2021)" },
    LegalText { number: "45/2016/QĐ-TTg", subject: "Tiếp nhận hồ sơ, trả kết quả giải quyết thủ tục hành chính qua dịch vụ bưu chính công ích", issued: None, effective: None, replaces: &[], amends: &[], checked: Checked::Cited, source: "DOMAIN.md §5" },
    LegalText { number: "Luật Tổ chức chính quyền địa phương 2025", subject: "Tổ chức chính quyền địa phương hai cấp (tỉnh, xã) từ 01/07/2025", issued: Some("16/06/2025"), effective: Some("01/07/2025"), replaces: &[], amends: &[], checked: Checked::Cited, source: "preamble of Thanh Hóa 128/2025/QĐ-UBND (the law's date); the two-level government from 1 July 2025 is from the issue" },
];

/// Every one of the hub's tables with its grounds. Kept in the order of
/// DOMAIN.md; README's domain section follows it.
pub const TABLES: &[Table] = &[
    Table {
        name: "status vocabulary (TrangThaiHoSo 1–10)",
        kept_in: "src/domain/status.rs",
        bases: &[
            basis("22/2019/TT-BTTTT", "Art. 4 cl. 2–3 and Appendix I: the processing status shown at every step", Checked::Read),
            basis(PROTOCOL, "TrangThaiHoSo codes 1–10 as the public implementations send them", Checked::Cited),
        ],
        current: "Circular 21/2023 (amended by 11/2025) replaced 22/2019 and merged the portal and the one-stop system into the Hệ thống thông tin giải quyết thủ tục hành chính cấp bộ, cấp tỉnh; whether its status appendix changed the wording was not at hand. The codes are the portal's and unchanged in the public implementations read.",
    },
    Table {
        name: "step table (commands and the statuses they lead to)",
        kept_in: "src/domain/machine.rs (TRANSITIONS)",
        bases: &[
            basis("61/2018/NĐ-CP", "Arts. 17–20: the sequence the portal and one-stop systems must follow (as Circular 22/2019 Art. 4 cl. 1 requires)", Checked::Cited),
            basis("107/2021/NĐ-CP", "amendments to Decree 61/2018", Checked::Cited),
        ],
        current: "Decree 118/2025 replaced 61/2018 and 107/2021 (guided by Circular 03/2025/TT-VPCP); the one-stop unit is now the Bộ phận Một cửa. The steps (reception, supplement, transfer, processing, fees, stop, withdrawal, return) are the mechanism its title keeps; its article numbers were not at hand, so the articles above are the 2018 numbering.",
    },
    Table {
        name: "online service levels (MucDo 2–4; toàn trình / một phần)",
        kept_in: "src/domain/procedure.rs",
        bases: &[
            basis("42/2022/NĐ-CP", "full (toàn trình) and partial (một phần) online services", Checked::Cited),
            basis("43/2011/NĐ-CP", "Art. 3 cl. 4: the older levels 1–4", Checked::Read),
        ],
        current: "Decree 42/2022 is in force; the catalogue still carries MucDo 2–4, which the hub reads as information only / partial / full.",
    },
    Table {
        name: "shared catalogues (procedures, agencies, sectors, administrative units, fees, online services, result types, treasury accounts, revenue items, banks)",
        kept_in: "adapters/national-portal/profiles/dvcqg-public.toml",
        bases: &[
            basis("31/2021/QĐ-TTg", "the shared catalogues the national portal publishes", Checked::Cited),
            basis("Luật Tổ chức chính quyền địa phương 2025", "two-level local government: province → commune, 34 provinces", Checked::Cited),
            basis(PROTOCOL, "operation and field names of the public implementations (the profile names its source)", Checked::Cited),
        ],
        current: "Administrative units are province → commune since 1 July 2025; older three-level codes stay readable for old dossiers. The 34 province codes were not checked against an official list.",
    },
    Table {
        name: "portal exchange codes (KenhThucHien, LoaiDoiTuong, HinhThuc, progress fields)",
        kept_in: "adapters/national-portal/profiles/dvcqg-public.toml",
        bases: &[basis(PROTOCOL, "field names and value encodings of the public implementations", Checked::Cited)],
        current: "No legal text publishes the protocol; the profile is versioned so that a deployment can follow its portal.",
    },
    Table {
        name: "postal vocabulary (pickup requested … returned to sender)",
        kept_in: "adapters/postal/src/vocabulary.rs and each provider's code map in configuration",
        bases: &[basis("45/2016/QĐ-TTg", "reception of dossiers and return of results through the public postal service", Checked::Cited)],
        current: "The nine states are the hub's own (provisional in DOMAIN.md §5); each provider's codes map onto them in configuration.",
    },
    Table {
        name: "payment messages and result codes (INIT, callback, QUERY, GET_BILL)",
        kept_in: "adapters/payment",
        bases: &[basis(PROTOCOL, "the payment platform's messages as public implementations use them (MaXacThuc over pipe-joined fields)", Checked::Cited)],
        current: "No legal text publishes the message format.",
    },
    Table {
        name: "public statistics and ratings",
        kept_in: "src/portal/statistics.rs",
        bases: &[basis("32/2017/TT-BTTTT", "Arts. 11–12: what is published per online service, satisfaction results", Checked::Read)],
        current: "Whether Decree 42/2022 and its circulars replaced Art. 12's list was not checked; the hub publishes a superset.",
    },
    Table {
        name: "service-level objectives (response times, concurrent users, uptime)",
        kept_in: "deploy/observability/lienthong.rules.yml and [admin] configuration",
        bases: &[basis("22/2019/TT-BTTTT", "Art. 7 and Appendix IV: performance", Checked::Read)],
        current: "Appendix IV's figures were not at hand, in 22/2019 or in 21/2023: they are configuration with defaults.",
    },
];

/// The provisions a command follows, for `lienthong legal` and the tests.
/// Submission, reception, supplement and refusal are reception at the
/// one-stop unit; transfer, processing, fees, stop and finish are the
/// agency's handling; return is the last step. The 2018 article range is all
/// the seeds ground: Circular 22/2019 cites Arts. 17–20 as one sequence.
pub fn command_basis(command: CommandName) -> &'static [Basis] {
    use CommandName::*;
    const SEQUENCE: &[Basis] = &[basis(
        "61/2018/NĐ-CP",
        "Arts. 17–20 (the sequence of handling a dossier)",
        Checked::Cited,
    )];
    const POSTAL: &[Basis] = &[
        basis(
            "45/2016/QĐ-TTg",
            "the post collects dossiers and carries results",
            Checked::Cited,
        ),
        basis(
            PROTOCOL,
            "progress entries the portal shows",
            Checked::Cited,
        ),
    ];
    const CATALOGUE: &[Basis] = &[basis(
        "31/2021/QĐ-TTg",
        "the national portal publishes the shared catalogues",
        Checked::Cited,
    )];
    const OPERATIONS: &[Basis] = &[];
    match command {
        Submit
        | Receive
        | Refuse
        | RequestSupplement
        | SubmitSupplement
        | StartProcessing
        | RequestFinancialObligation
        | RecordPayment
        | Stop
        | Resume
        | Withdraw
        | Finish
        | ReturnResult
        | Reschedule
        | Forward => SEQUENCE,
        RecordPartnerEvent => POSTAL,
        PublishCatalog => CATALOGUE,
        // An operator's tool, not a step of any procedure.
        ManageParked => OPERATIONS,
    }
}

/// The text with this number.
pub fn text(number: &str) -> Option<&'static LegalText> {
    TEXTS.iter().find(|t| t.number == number)
}

/// The text that replaced this one, if the registry knows it.
pub fn replaced_by(number: &str) -> Option<&'static LegalText> {
    TEXTS.iter().find(|t| t.replaces.contains(&number))
}

/// The texts that amend this one.
pub fn amended_by(number: &str) -> impl Iterator<Item = &'static LegalText> + '_ {
    TEXTS.iter().filter(move |t| t.amends.contains(&number))
}

/// In force as far as this registry knows: nothing here replaces it, and
/// what it amends is in force too.
pub fn in_force(number: &str) -> bool {
    replaced_by(number).is_none()
        && text(number).is_some_and(|t| t.amends.iter().all(|amended| in_force(amended)))
}

/// The text in force that took the place of `number`: itself when in force,
/// else its replacement's (followed to the end).
pub fn current_for(number: &str) -> Option<&'static LegalText> {
    match replaced_by(number) {
        Some(next) => current_for(next.number),
        None => text(number),
    }
}

/// The whole registry as text, for `lienthong legal`: every text with its
/// standing, every table with its grounds and what the texts in force change,
/// then each command's grounds.
pub fn report() -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(out, "Legal texts the hub follows");
    for t in TEXTS {
        let standing = match (replaced_by(t.number), in_force(t.number)) {
            (Some(next), _) => format!("replaced by {}", next.number),
            (None, true) => "in force (nothing here replaces it)".to_string(),
            (None, false) => "went with the text it amends".to_string(),
        };
        let amendments: Vec<&str> = amended_by(t.number).map(|a| a.number).collect();
        let _ = writeln!(out, "\n  {} — {}", t.number, t.subject);
        let _ = writeln!(
            out,
            "    issued {}, effective {}; {}{}",
            t.issued.unwrap_or("(date not at hand)"),
            t.effective.unwrap_or("(not at hand)"),
            standing,
            if amendments.is_empty() {
                String::new()
            } else {
                format!(", amended by {}", amendments.join(", "))
            }
        );
        let _ = writeln!(out, "    checked: {} ({})", t.checked.describe(), t.source);
    }
    let _ = writeln!(out, "\nTables and their grounds");
    for table in TABLES {
        let _ = writeln!(out, "\n  {} [{}]", table.name, table.kept_in);
        for b in table.bases {
            let _ = writeln!(
                out,
                "    {} {} ({})",
                b.text,
                b.provision,
                b.checked.describe()
            );
        }
        let _ = writeln!(out, "    now: {}", table.current);
    }
    let _ = writeln!(out, "\nCommands and their grounds");
    for command in CommandName::ALL {
        let grounds: Vec<String> = command_basis(command)
            .iter()
            .map(|b| format!("{} {}", b.text, b.provision))
            .collect();
        let grounds = if grounds.is_empty() {
            "an operator's tool, no procedure step".to_string()
        } else {
            grounds.join("; ")
        };
        let _ = writeln!(out, "  {}: {}", command.as_str(), grounds);
    }
    out
}

#[cfg(test)]
#[path = "legal_tests.rs"]
mod tests;
