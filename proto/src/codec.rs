//! The contract's gRPC codec: prost's, except that bytes which do not decode
//! as the expected message are INVALID_ARGUMENT.
//!
//! tonic's own prost codec answers an undecodable request with INTERNAL,
//! which tells a partner "the hub failed, retry" (`ErrorCode::is_retryable`)
//! when the request itself is wrong; the AMQP edge already answers the same
//! bytes with INVALID_ARGUMENT. Every generated client and server of
//! `lienthong.v1` uses this codec (`build.rs`: `codec_path`), so the answer
//! is the same on every service, AdminService included.

use std::marker::PhantomData;
use tonic::codec::{Codec, DecodeBuf, Decoder, ProstCodec};
use tonic::{Code, Status};

/// `ProstCodec` with decoding failures answered INVALID_ARGUMENT.
#[derive(Debug, Clone)]
pub struct ContractCodec<T, U> {
    prost: ProstCodec<T, U>,
}

impl<T, U> Default for ContractCodec<T, U> {
    fn default() -> Self {
        ContractCodec {
            prost: ProstCodec::default(),
        }
    }
}

impl<T, U> Codec for ContractCodec<T, U>
where
    T: prost::Message + Send + 'static,
    U: prost::Message + Default + Send + 'static,
{
    type Encode = T;
    type Decode = U;
    type Encoder = <ProstCodec<T, U> as Codec>::Encoder;
    type Decoder = ContractDecoder<U>;

    fn encoder(&mut self) -> Self::Encoder {
        self.prost.encoder()
    }

    fn decoder(&mut self) -> Self::Decoder {
        ContractDecoder {
            _message: PhantomData,
        }
    }
}

/// Decodes one `U`; bytes that are not one are the sender's error.
#[derive(Debug)]
pub struct ContractDecoder<U> {
    _message: PhantomData<U>,
}

impl<U: prost::Message + Default> Decoder for ContractDecoder<U> {
    type Item = U;
    type Error = Status;

    fn decode(&mut self, buf: &mut DecodeBuf<'_>) -> Result<Option<U>, Status> {
        U::decode(buf).map(Some).map_err(|e| {
            Status::new(
                Code::InvalidArgument,
                format!("the message is not a valid lienthong.v1 protobuf message: {e}"),
            )
        })
    }
}
