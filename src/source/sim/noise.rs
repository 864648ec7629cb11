//! Deterministic pseudo-randomness: the same seed, names and time bucket always give the same
//! number, so simulated runs are reproducible without carrying an RNG's state around.

/// A well-mixed 64-bit hash of the seed, some names and a number.
pub fn hash(seed: u64, parts: &[&str], n: i64) -> u64 {
    // FNV-1a over the parts, then splitmix64 to spread the bits.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    // Each part's bytes, then 0xff as its end (a plain loop: this runs for every simulated
    // number, and the replay of `switchyard timeline --sim` asks for many).
    for part in parts {
        for &b in part.as_bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        h = (h ^ 0xff).wrapping_mul(0x0100_0000_01b3);
    }
    splitmix(h ^ (n as u64).wrapping_mul(0xbf58_476d_1ce4_e5b9))
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A number in [0, 1).
pub fn unit(seed: u64, parts: &[&str], n: i64) -> f64 {
    (hash(seed, parts, n) >> 11) as f64 / (1u64 << 53) as f64
}

/// Lower-case alphanumerics, as in API Gateway and Route 53 identifiers.
pub fn ident(seed: u64, parts: &[&str], n: i64, len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..len)
        .map(|i| {
            let h = hash(seed, parts, n.wrapping_add(i as i64 * 7919));
            char::from(ALPHABET[(h % ALPHABET.len() as u64) as usize])
        })
        .collect()
}

/// A UUID-shaped identifier (Route 53 health check IDs).
pub fn uuid(seed: u64, parts: &[&str]) -> String {
    let a = hash(seed, parts, 1);
    let b = hash(seed, parts, 2);
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

/// A base64-shaped SHA-256 (Lambda CodeSha256).
pub fn sha256_b64(seed: u64, parts: &[&str]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let body: String = (0..43)
        .map(|i| {
            let h = hash(seed, parts, i);
            char::from(ALPHABET[(h % 64) as usize])
        })
        .collect();
    format!("{body}=")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The loop written for speed gives the numbers the first version gave (every simulated
    /// value, and so every snapshot, depends on them).
    #[test]
    fn the_hash_is_the_byte_chained_fnv_it_always_was() {
        fn reference(seed: u64, parts: &[&str], n: i64) -> u64 {
            let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
            for part in parts {
                for b in part.bytes().chain(std::iter::once(0xff)) {
                    h ^= u64::from(b);
                    h = h.wrapping_mul(0x0100_0000_01b3);
                }
            }
            splitmix(h ^ (n as u64).wrapping_mul(0xbf58_476d_1ce4_e5b9))
        }
        for seed in [0, 7, u64::MAX] {
            for parts in [
                &[][..],
                &["sample"],
                &["sample", "us-east-1", "checker"],
                &["", "é"],
            ] {
                for n in [-3600, 0, 1, 59, i64::MAX] {
                    assert_eq!(hash(seed, parts, n), reference(seed, parts, n));
                }
            }
        }
    }

    #[test]
    fn same_inputs_same_outputs_and_different_inputs_differ() {
        assert_eq!(hash(1, &["a", "b"], 3), hash(1, &["a", "b"], 3));
        assert_ne!(hash(1, &["a", "b"], 3), hash(2, &["a", "b"], 3));
        assert_ne!(hash(1, &["ab"], 3), hash(1, &["a", "b"], 3));
        let u = unit(9, &["x"], 5);
        assert!((0.0..1.0).contains(&u));
        assert_eq!(uuid(1, &["hc"]).len(), 36);
        assert_eq!(sha256_b64(1, &["code"]).len(), 44);
    }
}
