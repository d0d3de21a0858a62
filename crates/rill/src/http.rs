//! `http::Response<B: http_body::Body>` as a streaming source (feature `http`).

use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::Buf;
use futures_core::Stream;
use pin_project_lite::pin_project;

use crate::streaming::{Body, IntoResponse, Response};

pin_project! {
    /// An `http_body::Body` as a stream of its data frames (trailers are skipped).
    pub struct HttpBody<B> {
        #[pin]
        body: B,
    }
}

impl<B> HttpBody<B> {
    /// Wraps an HTTP body.
    pub fn new(body: B) -> Self {
        HttpBody { body }
    }
}

impl<B: http_body::Body> Stream for HttpBody<B> {
    type Item = Result<bytes::Bytes, B::Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut body = self.project().body;
        loop {
            match ready!(body.as_mut().poll_frame(cx)) {
                None => return Poll::Ready(None),
                Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                Some(Ok(frame)) => {
                    if let Ok(mut data) = frame.into_data() {
                        let n = data.remaining();
                        return Poll::Ready(Some(Ok(data.copy_to_bytes(n))));
                    }
                }
            }
        }
    }
}

/// The `Content-Type` and status of an HTTP response, and its body as a stream. Several
/// `Content-Type` headers are combined as the Fetch standard's "get" does (joined with
/// `", "`), which never matches `application/wasm`.
impl<B: http_body::Body> From<http::Response<B>> for Response<HttpBody<B>> {
    fn from(response: http::Response<B>) -> Self {
        let (parts, body) = response.into_parts();
        let values: Vec<String> = parts
            .headers
            .get_all(http::header::CONTENT_TYPE)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect();
        Response {
            content_type: (!values.is_empty()).then(|| values.join(", ")),
            status: parts.status.as_u16(),
            body: Body::Stream(HttpBody::new(body)),
        }
    }
}

impl<B: http_body::Body> IntoResponse for http::Response<B> {
    type Error = B::Error;
    type Chunk = bytes::Bytes;
    type Body = HttpBody<B>;

    fn into_response(self) -> Response<HttpBody<B>> {
        Response::from(self)
    }
}
