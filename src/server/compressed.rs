//! The browser's bundle (its WebAssembly and JavaScript) and the stylesheet
//! are sent compressed, brotli or gzip as the browser accepts: the bundle
//! is most of what a first visit downloads (the debug build's WebAssembly
//! is 41 MB raw and 3.4 MB gzipped). Pages and server-function answers are
//! not compressed: a page is streamed as its parts load, and a compressor
//! would hold the stream back until it had enough to write; the live event
//! streams, likewise.

use axum::body::HttpBody;
use axum::http::{Response, header};
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{And, Predicate, SizeAbove};

/// The content types of the files built into the site's `pkg` folder.
const BUNDLE_TYPES: [&str; 4] = [
    "application/wasm",
    "text/javascript",
    "application/javascript",
    "text/css",
];

/// Responses whose content type is one of `BUNDLE_TYPES`.
#[derive(Debug, Clone, Copy)]
pub struct Bundle;

impl Predicate for Bundle {
    fn should_compress<B: HttpBody>(&self, response: &Response<B>) -> bool {
        response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|kind| BUNDLE_TYPES.iter().any(|bundle| kind.starts_with(bundle)))
    }
}

/// Compresses the bundle's files (above tower-http's minimum size).
pub fn bundle_compression() -> CompressionLayer<And<SizeAbove, Bundle>> {
    CompressionLayer::new().compress_when(SizeAbove::default().and(Bundle))
}
