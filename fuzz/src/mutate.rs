//! How one input becomes the next: stacked byte-level mutations in the
//! manner of AFL's "havoc" stage — bit flips, interesting values, inserts,
//! deletes, repeats, splices with another corpus entry, length-field tweaks
//! and the target's dictionary tokens — never longer than the target allows.

use crate::rng::Rng;

/// Bytes that change how a parser reads what follows.
const INTERESTING_BYTES: &[u8] = &[
    0x00, 0x01, 0x7f, 0x80, 0xff, b'"', b'\\', b'{', b'}', b'[', b']', b',', b':', b'0', b'9',
    b'-', b'.', b'=', b'\n', b'\'', 0xc3, 0xe1, 0xf0,
];

/// Values a length or count field is most often mishandled at.
const INTERESTING_NUMBERS: &[u64] = &[
    0,
    1,
    0x7f,
    0x80,
    0xff,
    0x100,
    0x7fff,
    0x8000,
    0xffff,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_ffff,
    u64::MAX,
    i64::MAX as u64,
    i64::MIN as u64,
];

pub fn mutate(
    rng: &mut Rng,
    input: &[u8],
    corpus: &[Vec<u8>],
    dictionary: &[&[u8]],
    max_len: usize,
) -> Vec<u8> {
    let mut data = input.to_vec();
    let stack = 1 + rng.below(4);
    let rounds = 1 + rng.below(1 << stack);
    for _ in 0..rounds {
        one(rng, &mut data, corpus, dictionary);
        data.truncate(max_len);
    }
    data
}

fn one(rng: &mut Rng, data: &mut Vec<u8>, corpus: &[Vec<u8>], dictionary: &[&[u8]]) {
    if data.is_empty() {
        let n = 1 + rng.below(8);
        data.extend((0..n).map(|_| rng.next_u64() as u8));
        return;
    }
    let len = data.len();
    let at = rng.below(len);
    match rng.below(10) {
        0 => data[at] ^= 1 << rng.below(8),
        1 => data[at] = INTERESTING_BYTES[rng.below(INTERESTING_BYTES.len())],
        2 => {
            let n = 1 + rng.below(8);
            let bytes: Vec<u8> = (0..n).map(|_| rng.next_u64() as u8).collect();
            data.splice(at..at, bytes);
        }
        3 => {
            let n = 1 + rng.below((len - at).min(32));
            data.drain(at..at + n);
        }
        4 => {
            // Repeat a chunk: deeper nesting, longer lists, longer strings.
            let n = 1 + rng.below((len - at).min(64));
            let chunk = data[at..at + n].to_vec();
            let times = 1 + rng.below(8);
            for _ in 0..times {
                data.splice(at..at, chunk.iter().copied());
            }
        }
        5 => {
            // Splice: this input's head, another entry's tail.
            let other = &corpus[rng.below(corpus.len())];
            if !other.is_empty() {
                let from = rng.below(other.len());
                data.truncate(at);
                data.extend_from_slice(&other[from..]);
            }
        }
        6 => length_field(rng, data, at),
        7 => {
            if !dictionary.is_empty() {
                let token = dictionary[rng.below(dictionary.len())];
                if rng.chance(2) {
                    data.splice(at..at, token.iter().copied());
                } else {
                    let end = (at + token.len()).min(len);
                    data.splice(at..end, token.iter().copied());
                }
            }
        }
        8 => {
            // Overwrite with a chunk of itself.
            let from = rng.below(len);
            let n = 1 + rng.below((len - from).min(len - at).min(32));
            let chunk = data[from..from + n].to_vec();
            data[at..at + n].copy_from_slice(&chunk);
        }
        _ => {
            data[at] = data[at]
                .wrapping_add(1 + rng.below(35) as u8)
                .wrapping_sub(18)
        }
    }
}

/// Reads 1, 2, 4 or 8 bytes at `at` as a number (either byte order) and
/// nudges it or sets it to an interesting value: lengths and counts.
fn length_field(rng: &mut Rng, data: &mut [u8], at: usize) {
    let width = [1, 2, 4, 8][rng.below(4)];
    if at + width > data.len() {
        return;
    }
    let field = &mut data[at..at + width];
    let big_endian = rng.chance(2);
    let mut bytes = [0u8; 8];
    bytes[8 - width..].copy_from_slice(field);
    if !big_endian {
        bytes[8 - width..].reverse();
    }
    let value = u64::from_be_bytes(bytes);
    let value = if rng.chance(2) {
        let delta = 1 + rng.below(16) as u64;
        if rng.chance(2) {
            value.wrapping_add(delta)
        } else {
            value.wrapping_sub(delta)
        }
    } else {
        INTERESTING_NUMBERS[rng.below(INTERESTING_NUMBERS.len())]
    };
    let bytes = value.to_be_bytes();
    field.copy_from_slice(&bytes[8 - width..]);
    if !big_endian {
        field.reverse();
    }
}
