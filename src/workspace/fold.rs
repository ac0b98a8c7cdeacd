//! Search text folded the way officers type it: lower case, Vietnamese
//! diacritics removed, `đ` as `d`, runs of spaces as one. "nguyen van a"
//! then finds "Nguyễn Văn A", and "NGUYỄN" finds it too (WEB.md: search
//! folds diacritics both ways).
//!
//! Text may arrive precomposed (NFC, what the pages send) or decomposed
//! (a base letter followed by combining marks, what some keyboards and
//! copied PDFs give): the combining marks are simply dropped, and the
//! precomposed letters are looked up in the table below, which covers every
//! letter of the Vietnamese alphabet with every tone.

/// Each base letter and every precomposed lower-case letter that folds to it.
const FOLDS: [(char, &str); 7] = [
    ('a', "àáảãạăằắẳẵặâầấẩẫậ"),
    ('e', "èéẻẽẹêềếểễệ"),
    ('i', "ìíỉĩị"),
    ('o', "òóỏõọôồốổỗộơờớởỡợ"),
    ('u', "ùúủũụưừứửữự"),
    ('y', "ỳýỷỹỵ"),
    ('d', "đ"),
];

fn is_combining_mark(c: char) -> bool {
    ('\u{0300}'..='\u{036F}').contains(&c)
}

fn base_letter(c: char) -> char {
    FOLDS
        .iter()
        .find(|(_, variants)| variants.contains(c))
        .map_or(c, |(base, _)| *base)
}

/// `text` folded for comparison: lower case, no diacritics, single spaces,
/// trimmed.
pub fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        if is_combining_mark(c) {
            continue;
        }
        if c.is_whitespace() {
            space = !folded.is_empty();
            continue;
        }
        if space {
            folded.push(' ');
            space = false;
        }
        folded.push(base_letter(c));
    }
    folded
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn unaccented_lower_case_finds_the_full_vietnamese_name() {
        assert_eq!(fold("Nguyễn Văn A"), "nguyen van a");
        assert!(fold("Nguyễn Văn A").contains(&fold("nguyen van a")));
        assert!(fold("Nguyễn Văn A").contains(&fold("NGUYỄN  văn")));
    }

    #[test]
    fn d_with_stroke_folds_to_d_in_both_cases() {
        assert_eq!(fold("Đăng ký khai sinh"), "dang ky khai sinh");
        assert_eq!(fold("đỗ đức"), "do duc");
    }

    #[test]
    fn decomposed_text_folds_like_precomposed_text() {
        // "Trần" written as T r a + combining grave + n.
        assert_eq!(fold("Tra\u{0300}n Thi\u{0323}"), "tran thi");
    }

    #[test]
    fn every_tone_of_every_vowel_folds() {
        let all = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ";
        let folded = fold(all);
        assert!(folded.chars().all(|c| "aeiouy".contains(c)), "{folded}");
        assert_eq!(fold(&all.to_uppercase()), folded, "upper case too");
    }

    #[test]
    fn codes_and_numbers_are_kept() {
        assert_eq!(
            fold(" 000.00.01.H22-251122-00017 "),
            "000.00.01.h22-251122-00017"
        );
    }
}
