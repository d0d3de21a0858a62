//! Decoding a whole module given in chunks, for tests, fuzzers and tools that want every event
//! and the first error rather than to react to each event as it comes.

use crate::{DecodeError, Decoder, Event, Features, Payload};

/// Everything decoding a module produced: the events up to the first error, and that error.
#[derive(Clone, Debug, PartialEq)]
pub struct DecodeRun {
    /// The events in order, up to and including the body whose encoding failed, if one did.
    pub events: Vec<Event>,
    /// The first error, from `push`, `finish` or a function body's encoding.
    pub error: Option<DecodeError>,
}

/// Pushes `chunks` in order, then finishes, and decodes every function body
/// ([`FunctionBody::check_encoding`](crate::FunctionBody::check_encoding)) as its event
/// arrives. The first error ends the run.
///
/// Events are drained after every push, whatever it returned, and bodies are checked in event
/// order, so the result is the same however the input is split: a body's error concerns bytes
/// before those a later push's error concerns.
pub fn decode_chunks<'a>(
    chunks: impl IntoIterator<Item = &'a [u8]>,
    features: Features,
) -> DecodeRun {
    let mut decoder = Decoder::with_features(features);
    let mut events = Vec::new();
    let error = (|| {
        for chunk in chunks {
            let pushed = decoder.push(chunk);
            drain(&mut decoder, &mut events)?;
            pushed?;
        }
        let finished = decoder.finish();
        drain(&mut decoder, &mut events)?;
        finished
    })()
    .err();
    DecodeRun { events, error }
}

fn drain(decoder: &mut Decoder, events: &mut Vec<Event>) -> Result<(), DecodeError> {
    while let Some(event) = decoder.next_event() {
        let body = match &event.payload {
            Payload::FunctionBody(body) => body.check_encoding(),
            _ => Ok(()),
        };
        events.push(event);
        body?;
    }
    Ok(())
}
