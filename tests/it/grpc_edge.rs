//! The gRPC edge itself: bytes that are not the expected message, and one
//! message size limit for every service; a command stream ended by bytes
//! that are no request.

use crate::common::{submission, submit_request, TestHub, ONE_STOP, PORTAL};
use lienthong::grpc::pb::{self, admin_service_client::AdminServiceClient};
use tonic::codegen::http::uri::PathAndQuery;
use tonic::transport::Channel;
use tonic::{Code, Request};

/// Field 1 as a number: `CommandRequest.idempotency_key` is a string.
#[derive(Clone, PartialEq, prost::Message)]
struct NumberAtOne {
    #[prost(uint64, tag = "1")]
    one: u64,
}

/// Field 1 as a string: `ListParkedRequest.limit` is a number.
#[derive(Clone, PartialEq, prost::Message)]
struct TextAtOne {
    #[prost(string, tag = "1")]
    one: String,
}

/// Sends `message` to `path` as a stock client would, carrying `token`.
async fn send<M: prost::Message + Default + Send + 'static>(
    hub: &TestHub,
    path: &'static str,
    message: M,
    token: &str,
) -> tonic::Status {
    let channel = Channel::from_shared(format!("http://{}", hub.addr))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.unwrap();
    let mut request = Request::new(message);
    request
        .metadata_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    let codec = tonic::codec::ProstCodec::<M, pb::CommandReply>::default();
    grpc.unary(request, PathAndQuery::from_static(path), codec)
        .await
        .expect_err("not a message of the contract")
}

// issue 10 defect 7
#[tokio::test]
async fn undecodable_requests_are_invalid_argument_on_every_service() {
    let mut hub = TestHub::start().await;
    let execute = "/lienthong.v1.DossierService/Execute";
    let err = send(&hub, execute, NumberAtOne { one: 7 }, ONE_STOP).await;
    assert_eq!(err.code(), Code::InvalidArgument, "{err:?}");
    assert!(
        err.message().contains("not a valid lienthong.v1"),
        "{err:?}"
    );
    let list_parked = "/lienthong.v1.AdminService/ListParked";
    let text = TextAtOne { one: "cent".into() };
    let err = send(&hub, list_parked, text, PORTAL).await;
    assert_eq!(err.code(), Code::InvalidArgument, "{err:?}");
    // Nothing was written.
    let mut client = hub.client(ONE_STOP).await;
    assert_eq!(client.submit("first").await.event_seq, 1);
    hub.stop().await;
}

fn settled(i: usize) -> pb::SettledTransaction {
    pb::SettledTransaction {
        reference: format!("TC-{i:05}"),
        transaction_id: format!("GD-{i:05}-{}", "x".repeat(60)),
        ma_ho_so: format!("000.00.01.H22-251122-{:05}", i + 1),
        amount_vnd: 75_000,
        bank: "VCB".into(),
        paid_at: "20251122093000".into(),
    }
}

// issue 10 defect 8
#[tokio::test]
async fn admin_service_has_the_message_limit_of_every_service() {
    const LIMIT: usize = 64 * 1024;
    let mut hub = TestHub::start_with(|c| c.hub.max_message_bytes = LIMIT).await;
    let operator = hub.client(PORTAL).await;
    let mut admin = AdminServiceClient::connect(format!("http://{}", hub.addr))
        .await
        .unwrap();
    // Under the limit: answered.
    let small = pb::ReconcileRequest {
        gateway: (0..10).map(settled).collect(),
        treasury: Vec::new(),
    };
    admin.reconcile(operator.req(small)).await.unwrap();
    // Over it (about 130 KB): refused before decoding, as DossierService
    // refuses a command of that size.
    let big = pb::ReconcileRequest {
        gateway: (0..1000).map(settled).collect(),
        treasury: Vec::new(),
    };
    assert!(prost::Message::encoded_len(&big) > LIMIT);
    let err = admin.reconcile(operator.req(big)).await.unwrap_err();
    assert_eq!(err.code(), Code::OutOfRange, "{err:?}");
    let mut client = hub.client(ONE_STOP).await;
    let mut s = submission();
    s.summary = "x".repeat(LIMIT);
    let err = client.exec(submit_request("big", s)).await.unwrap_err();
    assert_eq!(err.code(), Code::OutOfRange, "{err:?}");
    hub.stop().await;
}

/// Bytes sent as they are: a message of the contract, or not.
#[derive(Clone, Debug, Default)]
struct Raw(Vec<u8>);

impl prost::Message for Raw {
    fn encode_raw(&self, buf: &mut impl prost::bytes::BufMut) {
        buf.put_slice(&self.0)
    }
    fn merge_field(
        &mut self,
        tag: u32,
        wire_type: prost::encoding::WireType,
        buf: &mut impl prost::bytes::Buf,
        ctx: prost::encoding::DecodeContext,
    ) -> Result<(), prost::DecodeError> {
        prost::encoding::skip_field(wire_type, tag, buf, ctx)
    }
    fn encoded_len(&self) -> usize {
        self.0.len()
    }
    fn clear(&mut self) {
        self.0.clear()
    }
}

// issue 12 (bulk stream): bytes that are no CommandRequest end a command
// stream with INVALID_ARGUMENT — after the answers to the commands before.
#[tokio::test]
async fn undecodable_bytes_end_a_command_stream_after_the_answers_before() {
    use prost::Message;
    let mut hub = TestHub::start().await;
    let channel = Channel::from_shared(format!("http://{}", hub.addr))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.unwrap();
    let valid = |key: &str| Raw(submit_request(key, submission()).encode_to_vec());
    let not_a_request = Raw(NumberAtOne { one: 7 }.encode_to_vec());
    let messages = vec![
        valid("edge-0"),
        valid("edge-1"),
        not_a_request,
        valid("edge-3"),
    ];
    let mut request = Request::new(tokio_stream::iter(messages));
    request.metadata_mut().insert(
        "authorization",
        format!("Bearer {ONE_STOP}").parse().unwrap(),
    );
    let codec = tonic::codec::ProstCodec::<Raw, pb::StreamedCommandReply>::default();
    let path = PathAndQuery::from_static("/lienthong.v1.DossierService/ExecuteStream");
    let mut answers = grpc
        .streaming(request, path, codec)
        .await
        .expect("opened")
        .into_inner();
    for index in 0..2 {
        let answer = answers.message().await.unwrap().expect("an answer");
        assert_eq!(answer.index, index);
        assert!(
            matches!(
                answer.result,
                Some(pb::streamed_command_reply::Result::Reply(_))
            ),
            "{answer:?}"
        );
    }
    let end = answers.message().await.expect_err("the stream ends");
    assert_eq!(end.code(), Code::InvalidArgument, "{end:?}");
    let mut client = hub.client(ONE_STOP).await;
    assert_eq!(
        client.dossier_count().await,
        2,
        "nothing after the bad bytes"
    );
    hub.stop().await;
}
