//! How a page's resources travel from the server's render to the browser's
//! hydration: JSON, as Leptos's default codec writes it, but read from
//! bytes, as the server functions' answers are read. With Leptos's default
//! (read from a `&str`) the bundle held two JSON readers for every type a
//! page shows, one for each path: about 360 KB of its 3 MB.

use codee::{Decoder, Encoder};
use leptos::prelude::Resource;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub struct JsonBytes;

impl<T: Serialize> Encoder<T> for JsonBytes {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(value: &T) -> Result<String, serde_json::Error> {
        serde_json::to_string(value)
    }
}

impl<T: DeserializeOwned> Decoder<T> for JsonBytes {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(encoded: &str) -> Result<T, serde_json::Error> {
        serde_json::from_slice(encoded.as_bytes())
    }
}

/// A resource of a page, sent in `JsonBytes`.
pub type PageResource<T> = Resource<T, JsonBytes>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AppError, Role};

    #[test]
    fn what_the_server_encodes_the_browser_decodes() {
        let values: Vec<Result<(String, Role), AppError>> = vec![
            Ok(("quoted \" and ünïcode".into(), Role::Admin)),
            Err(AppError::Forbidden {
                required: Role::Admin,
                actual: Role::Viewer,
            }),
        ];
        let encoded = JsonBytes::encode(&values).expect("encodes");
        let decoded: Vec<Result<(String, Role), AppError>> =
            JsonBytes::decode(&encoded).expect("decodes");
        assert_eq!(decoded, values);
        let broken: Result<Vec<u8>, _> = <JsonBytes as Decoder<Vec<u8>>>::decode("[1,");
        assert!(
            broken.is_err(),
            "a truncated value is an error, not a panic"
        );
    }
}
