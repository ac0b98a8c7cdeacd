//! Files an applicant attaches to a dossier filed on the portal: which
//! kinds are taken, decided by the bytes alone, and how they are known.
//!
//! A file is what its first bytes say it is, never what its name or the
//! browser claims: only PDF, JPEG and PNG are taken, each by its signature
//! at offset 0. Everything else is refused, and the refusal names what was
//! recognised when it is worse than "unknown" (a program, a script, a web
//! page or an SVG image, which can carry script), so the applicant knows
//! why. A stored file is named by the SHA-256 of its bytes: the same
//! content is kept once, and a link to it (`/tep/<sha256>`) can neither be
//! guessed nor point at something else later. The link is absolute (the
//! contract's document URLs are, and partners download from it): the
//! portal's public address, then `/tep/<sha256>`. Plain data and pure
//! rules: the store keeps the bytes, the web edge serves them.

use super::UnixMillis;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Where a stored file is served; `Document.url` is the portal's public
/// address, this, and the digest.
pub const URL_PREFIX: &str = "/tep/";

/// The kinds of file taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaType {
    Pdf,
    Jpeg,
    Png,
}

impl MediaType {
    /// The type it is served with.
    pub fn mime(self) -> &'static str {
        match self {
            MediaType::Pdf => "application/pdf",
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            MediaType::Pdf => "pdf",
            MediaType::Jpeg => "jpg",
            MediaType::Png => "png",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            MediaType::Pdf => "PDF",
            MediaType::Jpeg => "JPEG",
            MediaType::Png => "PNG",
        }
    }
}

/// Why a file's bytes are refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    Empty,
    /// A program (Windows, Linux or macOS executable, a Java archive…).
    Executable,
    /// A script (`#!`, a batch or PowerShell file is text: see `Unknown`).
    Script,
    /// An HTML page or an SVG image (both can carry script).
    Markup,
    Unknown,
}

impl Refused {
    /// What the form says next to the field, after the file's name.
    pub fn vietnamese(self) -> &'static str {
        match self {
            Refused::Empty => "là tệp rỗng.",
            Refused::Executable => {
                "là tệp chương trình chạy được: không nhận. Chỉ nhận PDF, JPEG hoặc PNG (xét theo nội dung tệp, không theo tên)."
            }
            Refused::Script => {
                "là tệp kịch bản (script): không nhận. Chỉ nhận PDF, JPEG hoặc PNG (xét theo nội dung tệp, không theo tên)."
            }
            Refused::Markup => {
                "là trang HTML hoặc ảnh SVG: không nhận. Chỉ nhận PDF, JPEG hoặc PNG (xét theo nội dung tệp, không theo tên)."
            }
            Refused::Unknown => {
                "không phải PDF, JPEG hay PNG (xét theo nội dung tệp, không theo tên)."
            }
        }
    }
}

/// What the bytes are, by their signature at offset 0.
pub fn sniff(bytes: &[u8]) -> Result<MediaType, Refused> {
    if bytes.is_empty() {
        return Err(Refused::Empty);
    }
    if bytes.starts_with(b"%PDF-") {
        return Ok(MediaType::Pdf);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(MediaType::Jpeg);
    }
    if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        return Ok(MediaType::Png);
    }
    const PROGRAMS: [&[u8]; 8] = [
        b"MZ",                     // Windows PE, DOS
        b"\x7fELF",                // Linux
        &[0xCF, 0xFA, 0xED, 0xFE], // Mach-O 64 (little-endian)
        &[0xCE, 0xFA, 0xED, 0xFE], // Mach-O 32
        &[0xFE, 0xED, 0xFA, 0xCF], // Mach-O 64 (big-endian)
        &[0xCA, 0xFE, 0xBA, 0xBE], // Mach-O universal, Java class
        b"\0asm",                  // WebAssembly
        b"PK\x03\x04",             // zip: jar, apk, docm… (refused as a program)
    ];
    if PROGRAMS.iter().any(|p| bytes.starts_with(p)) {
        return Err(Refused::Executable);
    }
    if bytes.starts_with(b"#!") {
        return Err(Refused::Script);
    }
    let head: String = String::from_utf8_lossy(&bytes[..bytes.len().min(512)])
        .trim_start_matches('\u{feff}')
        .trim_start()
        .to_ascii_lowercase();
    if [
        "<!doctype",
        "<html",
        "<svg",
        "<?xml",
        "<script",
        "<head",
        "<body",
        "<iframe",
    ]
    .iter()
    .any(|tag| head.starts_with(tag))
    {
        return Err(Refused::Markup);
    }
    Err(Refused::Unknown)
}

/// The hex SHA-256 of the bytes: a stored file's name.
pub fn digest(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Whether `text` is a digest as `digest` writes it (64 lowercase hex).
pub fn is_digest(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The link a dossier's document carries to a stored file, under the
/// portal's public address (`https://dichvucong.example.vn`, no slash at
/// the end).
pub fn url(public_base: &str, digest: &str) -> String {
    format!("{public_base}{URL_PREFIX}{digest}")
}

/// The digest a portal link names, if `url` is one (whatever the address
/// before it: the pages link to the path on their own origin).
pub fn digest_of_url(url: &str) -> Option<&str> {
    url.rsplit_once(URL_PREFIX)
        .map(|(_, d)| d)
        .filter(|d| is_digest(d))
}

/// What is kept beside a stored file's bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentMeta {
    pub media_type: MediaType,
    pub bytes: u64,
    pub stored_at: UnixMillis,
}

/// The size limits of `[web]`: one file, and all files of one dossier
/// (or of one supplement).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AttachmentLimits {
    pub max_file_bytes: u64,
    pub max_dossier_bytes: u64,
}

/// Sizes as the form says them: `2 MB`, `512 KB` (1 MB = 1 048 576 bytes).
pub fn size_text(bytes: u64) -> String {
    const MB: u64 = 1 << 20;
    if bytes >= MB {
        let tenths = (bytes * 10).div_ceil(MB);
        if tenths % 10 == 0 {
            format!("{} MB", tenths / 10)
        } else {
            format!("{},{} MB", tenths / 10, tenths % 10)
        }
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bytes_decide_the_type() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Ok(MediaType::Pdf));
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            Ok(MediaType::Jpeg)
        );
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Ok(MediaType::Png));
        // A PDF's bytes later on, or a PNG's name, change nothing.
        assert_eq!(sniff(b" %PDF-1.7"), Err(Refused::Unknown));
        assert_eq!(sniff(b"hello.png"), Err(Refused::Unknown));
        assert_eq!(sniff(b""), Err(Refused::Empty));
    }

    #[test]
    fn programs_scripts_and_markup_are_named_as_such() {
        assert_eq!(sniff(b"MZ\x90\0\x03\0\0\0"), Err(Refused::Executable));
        assert_eq!(sniff(b"\x7fELF\x02\x01\x01"), Err(Refused::Executable));
        assert_eq!(sniff(b"PK\x03\x04\x14\0"), Err(Refused::Executable));
        assert_eq!(sniff(b"\0asm\x01\0\0\0"), Err(Refused::Executable));
        assert_eq!(sniff(b"#!/bin/sh\nrm -rf /"), Err(Refused::Script));
        assert_eq!(
            sniff(b"\xef\xbb\xbf  <!DOCTYPE html><p>x"),
            Err(Refused::Markup)
        );
        assert_eq!(sniff(b"<svg onload=alert(1)>"), Err(Refused::Markup));
        assert_eq!(
            sniff(b"<?xml version=\"1.0\"?><svg/>"),
            Err(Refused::Markup)
        );
        assert_eq!(sniff(b"@echo off\r\ndel *"), Err(Refused::Unknown));
        for refused in [Refused::Executable, Refused::Script, Refused::Markup] {
            assert!(refused.vietnamese().contains("Chỉ nhận PDF, JPEG hoặc PNG"));
        }
    }

    #[test]
    fn digests_and_links() {
        let d = digest(b"abc");
        assert_eq!(
            d,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(is_digest(&d));
        let link = url("https://dichvucong.example.vn", &d);
        assert_eq!(link, format!("https://dichvucong.example.vn/tep/{d}"));
        assert_eq!(digest_of_url(&link), Some(d.as_str()));
        assert_eq!(digest_of_url("https://x.vn/tep/../etc/passwd"), None);
        assert_eq!(digest_of_url(&url("https://x.vn", &d.to_uppercase())), None);
        assert_eq!(digest_of_url("https://example.vn/x.pdf"), None);
    }

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(size_text(10 << 20), "10 MB");
        assert_eq!(size_text(25 << 20), "25 MB");
        assert_eq!(size_text(3 << 19), "1,5 MB");
        assert_eq!(size_text(2000), "2 KB");
    }
}
