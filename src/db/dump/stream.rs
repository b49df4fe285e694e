//! A `.bson` dump file as a stream of documents: each one's four-byte
//! little-endian length is checked before its bytes are read, so that a
//! truncated file or a lying length prefix is an error, never a wrong read.

use super::DumpError;
use mongodb::bson::RawDocumentBuf;
use mongodb::bson::raw::{Error as RawError, RawArray, RawBsonRef, RawDocument};
use std::io::{ErrorKind, Read};

/// The largest document mongodump writes: 16 MiB plus the server's 16 KiB
/// of internal slack.
pub const MAX_DOCUMENT_BYTES: i64 = 16 * 1024 * 1024 + 16 * 1024;

/// Reads documents from one dump file; `file` names it in errors.
pub struct DocumentReader<R> {
    inner: R,
    file: String,
    offset: u64,
}

impl<R: Read> DocumentReader<R> {
    pub fn new(inner: R, file: impl Into<String>) -> Self {
        Self {
            inner,
            file: file.into(),
            offset: 0,
        }
    }

    fn io(&self, source: std::io::Error) -> DumpError {
        DumpError::Io {
            file: self.file.clone(),
            source,
        }
    }

    fn truncated(&self) -> DumpError {
        DumpError::Truncated {
            file: self.file.clone(),
            offset: self.offset,
        }
    }

    /// The next document, checked only for its framing; `None` at a clean end.
    pub fn next_raw(&mut self) -> Result<Option<RawDocumentBuf>, DumpError> {
        let mut prefix = [0_u8; 4];
        let mut filled = 0;
        while filled < prefix.len() {
            match self.inner.read(&mut prefix[filled..]) {
                Ok(0) if filled == 0 => return Ok(None),
                Ok(0) => return Err(self.truncated()),
                Ok(n) => filled += n,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(self.io(e)),
            }
        }
        let length = i64::from(i32::from_le_bytes(prefix));
        let Some(size) = usize::try_from(length)
            .ok()
            .filter(|_| (5..=MAX_DOCUMENT_BYTES).contains(&length))
        else {
            return Err(DumpError::BadLength {
                file: self.file.clone(),
                offset: self.offset,
                length,
            });
        };
        let mut bytes = vec![0_u8; size];
        bytes[..4].copy_from_slice(&prefix);
        if let Err(error) = self.inner.read_exact(&mut bytes[4..]) {
            return Err(if error.kind() == ErrorKind::UnexpectedEof {
                self.truncated()
            } else {
                self.io(error)
            });
        }
        let document = RawDocumentBuf::from_bytes(bytes).map_err(|e| self.bad(e))?;
        self.offset += size as u64;
        Ok(Some(document))
    }

    fn bad(&self, reason: impl ToString) -> DumpError {
        DumpError::BadDocument {
            file: self.file.clone(),
            offset: self.offset,
            reason: reason.to_string(),
        }
    }

    /// The next document, every element parsed; `None` at a clean end.
    pub fn next_checked(&mut self) -> Result<Option<RawDocumentBuf>, DumpError> {
        let Some(raw) = self.next_raw()? else {
            return Ok(None);
        };
        let start = self.offset - raw.as_bytes().len() as u64;
        check_elements(&raw).map_err(|e| DumpError::BadDocument {
            file: self.file.clone(),
            offset: start,
            reason: e.to_string(),
        })?;
        Ok(Some(raw))
    }

    /// Parses every remaining document; returns how many there were.
    pub fn check_all(&mut self) -> Result<u64, DumpError> {
        let mut count = 0;
        while self.next_checked()?.is_some() {
            count += 1;
        }
        Ok(count)
    }
}

/// Reads every element, nested ones included, as a parser would, without
/// building a `Document`: lengths, types, UTF-8 and terminators.
fn check_elements(document: &RawDocument) -> Result<(), RawError> {
    for element in document.iter() {
        check_value(element?.1)?;
    }
    Ok(())
}

fn check_array(array: &RawArray) -> Result<(), RawError> {
    for value in array {
        check_value(value?)?;
    }
    Ok(())
}

fn check_value(value: RawBsonRef<'_>) -> Result<(), RawError> {
    match value {
        RawBsonRef::Document(inner) => check_elements(inner),
        RawBsonRef::Array(inner) => check_array(inner),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mongodb::bson::{doc, to_vec};

    #[test]
    fn a_bad_element_deep_inside_is_found() {
        let mut bytes = to_vec(&doc! { "a": { "b": ["x", "yz"] } }).expect("encode");
        let at = bytes.windows(2).position(|w| w == b"yz").expect("yz");
        bytes[at] = 0xff; // not UTF-8
        let error = DocumentReader::new(bytes.as_slice(), "t.bson")
            .check_all()
            .expect_err("bad string");
        assert!(matches!(error, DumpError::BadDocument { .. }), "{error}");
    }

    fn two_documents() -> Vec<u8> {
        let mut bytes = to_vec(&doc! { "_id": 1, "title": "a" }).expect("encode");
        bytes.extend(to_vec(&doc! { "_id": 2, "nested": { "x": [1, 2] } }).expect("encode"));
        bytes
    }

    #[test]
    fn reads_back_to_back_documents_and_an_empty_file() {
        let bytes = two_documents();
        let mut reader = DocumentReader::new(bytes.as_slice(), "t.bson");
        assert_eq!(reader.check_all().expect("reads"), 2);
        assert_eq!(reader.offset, bytes.len() as u64);
        assert_eq!(
            DocumentReader::new(&[][..], "empty.bson")
                .check_all()
                .expect("empty"),
            0
        );
    }

    #[test]
    fn a_truncated_file_is_refused_with_its_offset() {
        let bytes = two_documents();
        let first = i32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as u64;
        let cut = &bytes[..bytes.len() - 3];
        let error = DocumentReader::new(cut, "t.bson")
            .check_all()
            .expect_err("truncated");
        assert!(
            matches!(error, DumpError::Truncated { offset, .. } if offset == first),
            "{error}"
        );
        let error = DocumentReader::new(&bytes[..2], "t.bson")
            .check_all()
            .expect_err("truncated prefix");
        assert!(matches!(error, DumpError::Truncated { offset: 0, .. }));
    }

    #[test]
    fn a_lying_length_prefix_is_refused() {
        let mut bytes = two_documents();
        bytes[0] = 3;
        bytes[1] = 0;
        let error = DocumentReader::new(bytes.as_slice(), "t.bson")
            .check_all()
            .expect_err("too short");
        assert!(matches!(error, DumpError::BadLength { length: 3, .. }));

        let mut bytes = two_documents();
        bytes[0] -= 4; // claims 4 bytes fewer: the last byte read is not the terminator
        let error = DocumentReader::new(bytes.as_slice(), "t.bson")
            .check_all()
            .expect_err("shorter");
        assert!(matches!(error, DumpError::BadDocument { .. }), "{error}");

        let mut bytes = two_documents();
        bytes[3] = 0x7f; // about 2 GB
        let error = DocumentReader::new(bytes.as_slice(), "t.bson")
            .check_all()
            .expect_err("huge");
        assert!(matches!(error, DumpError::BadLength { .. }));
    }
}
