//! Protobuf request bodies, as `CommandService` and `CatalogService` take
//! them over gRPC (and the AMQP consumer from a message body): prost's
//! decoding, then `wire::from_proto` into the core, then the field rules
//! `Hub::execute` and `Hub::publish_catalog` apply before anything runs.

use crate::{refused, Target};
use lienthong::domain::validate;
use lienthong::wire::from_proto;
use lienthong::wire::pb::{self, command_request::Command as C};
use prost::Message;

pub fn target() -> Target {
    Target {
        name: "grpc_command",
        max_len: 64 * 1024,
        run,
        seeds,
        dictionary: &[
            b"\x0a\x00",
            b"\x12\x00",
            b"\xff\xff\xff\xff\x0f",
            b"\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01",
        ],
    }
}

/// Both decoders on every input; the label names those that could read it.
fn run(input: &[u8]) -> String {
    let read: Vec<String> = [command(input), catalog(input)]
        .into_iter()
        .filter(|label| !label.ends_with(":undecodable"))
        .collect();
    if read.is_empty() {
        "undecodable".into()
    } else {
        read.join(" ")
    }
}

/// A command body, as far as the hub gets before the engine.
pub(crate) fn command(input: &[u8]) -> String {
    let Ok(request) = pb::CommandRequest::decode(input) else {
        return "command:undecodable".into();
    };
    let envelope = match from_proto::command_request(request) {
        Ok(envelope) => envelope,
        Err(e) => return format!("command:{}", refused(&e)),
    };
    if let Err(e) = validate::envelope(&envelope) {
        if std::env::var_os("FUZZ_DEBUG").is_some() {
            eprintln!("{e:?}");
        }
        return format!("command:{}", refused(&e));
    }
    let _ = envelope.fingerprint();
    format!("command:ok:{}", envelope.name().as_str())
}

/// A catalogue publication body, likewise.
pub(crate) fn catalog(input: &[u8]) -> String {
    let Ok(request) = pb::PublishCatalogRequest::decode(input) else {
        return "catalog:undecodable".into();
    };
    let publication = from_proto::publication(request);
    if let Err(e) = publication.validate() {
        return format!("catalog:{}", refused(&e));
    }
    let _ = publication.fingerprint();
    "catalog:ok".into()
}

fn on(id: u64, command: C) -> pb::CommandRequest {
    pb::CommandRequest {
        idempotency_key: format!("k-{id}"),
        expected_version: Some(3),
        dossier: Some(pb::DossierRef {
            r#ref: Some(pb::dossier_ref::Ref::Id(id)),
        }),
        actor: "Nguyễn Văn An".into(),
        unit: "Bộ phận một cửa".into(),
        command: Some(command),
    }
}

pub(crate) fn seeds() -> Vec<Vec<u8>> {
    let submit = pb::CommandRequest {
        idempotency_key: "k-submit".into(),
        expected_version: None,
        dossier: None,
        actor: "Nguyễn Văn An".into(),
        unit: "Bộ phận một cửa".into(),
        command: Some(C::Submit(pb::SubmitDossier {
            agency_code: "000.00.01.H22".into(),
            procedure_code: "1.000948.H38".into(),
            procedure_name: "Cấp giấy phép xây dựng".into(),
            channel: pb::SubmissionChannel::Online as i32,
            owner_name: "Nguyễn Văn An".into(),
            applicant_type: pb::ApplicantType::Citizen as i32,
            owner_id_number: "001099012345".into(),
            email: "an.nguyen@example.vn".into(),
            phone: "0912345678".into(),
            summary: "Đề nghị cấp giấy phép xây dựng nhà ở riêng lẻ".into(),
            documents: vec![pb::Document {
                component_code: "TP1".into(),
                name: "Đơn đề nghị".into(),
                url: "https://files.example.vn/a.pdf".into(),
            }],
            fees: vec![pb::Fee {
                code: "LP1".into(),
                name: "Lệ phí".into(),
                amount_vnd: 75_000,
            }],
            ..Default::default()
        })),
    };
    let by_ma_ho_so = pb::CommandRequest {
        dossier: Some(pb::DossierRef {
            r#ref: Some(pb::dossier_ref::Ref::MaHoSo(
                "000.00.01.H22-251122-00001".into(),
            )),
        }),
        ..on(
            2,
            C::StartProcessing(pb::StartProcessing {
                processing_unit: "Phòng Tư pháp".into(),
            }),
        )
    };
    let catalog = pb::PublishCatalogRequest {
        idempotency_key: "k-catalog".into(),
        kind: "agencies".into(),
        entries: vec![pb::CatalogEntry {
            code: "000.00.01.H22".into(),
            name: "Sở Tư pháp".into(),
            ..Default::default()
        }],
        expected_version: Some(1),
    };
    vec![
        submit.encode_to_vec(),
        on(1, C::Receive(Default::default())).encode_to_vec(),
        by_ma_ho_so.encode_to_vec(),
        on(
            3,
            C::Withdraw(pb::WithdrawDossier {
                reason: "Công dân xin rút hồ sơ".into(),
            }),
        )
        .encode_to_vec(),
        catalog.encode_to_vec(),
    ]
}
