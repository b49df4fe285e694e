//! A gzip bomb made in memory: a small file that inflates to many zeros.

use flate2::Compression;
use flate2::write::GzEncoder;
use std::io::Write;

/// A gzip file of `bytes` zeros.
pub fn gzip_of_zeros(bytes: usize) -> Vec<u8> {
    let block = vec![0_u8; 1 << 20];
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    let mut left = bytes;
    while left > 0 {
        let n = left.min(block.len());
        encoder.write_all(&block[..n]).expect("gzip");
        left -= n;
    }
    encoder.finish().expect("gzip")
}
