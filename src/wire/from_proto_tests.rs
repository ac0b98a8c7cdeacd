//! The edge check of the command envelope: a submission names no dossier,
//! every other command names one, and nothing else gets past
//! `command_request`. (What a present reference must look like is
//! `domain::validate`'s, tested there.)

use super::*;
use crate::domain::CommandName;
use pb::command_request::Command as C;

fn by_id(id: u64) -> Option<pb::DossierRef> {
    Some(pb::DossierRef {
        r#ref: Some(pb::dossier_ref::Ref::Id(id)),
    })
}

fn request(dossier: Option<pb::DossierRef>, command: C) -> pb::CommandRequest {
    pb::CommandRequest {
        idempotency_key: "k-1".into(),
        expected_version: Some(3),
        dossier,
        actor: "Nguyễn Văn An".into(),
        unit: "Bộ phận một cửa".into(),
        command: Some(command),
    }
}

fn submit() -> C {
    C::Submit(pb::SubmitDossier {
        agency_code: "000.00.01.H22".into(),
        ..Default::default()
    })
}

/// Every command but `submit`, with default fields.
fn commands_on_a_dossier() -> Vec<C> {
    vec![
        C::Receive(Default::default()),
        C::Refuse(Default::default()),
        C::RequestSupplement(Default::default()),
        C::SubmitSupplement(Default::default()),
        C::StartProcessing(Default::default()),
        C::RequestFinancialObligation(Default::default()),
        C::RecordPayment(Default::default()),
        C::Stop(Default::default()),
        C::Resume(Default::default()),
        C::Withdraw(Default::default()),
        C::Finish(Default::default()),
        C::ReturnResult(Default::default()),
        C::Reschedule(Default::default()),
    ]
}

fn refused(req: pb::CommandRequest) -> (String, String) {
    match command_request(req) {
        Err(DomainError::InvalidField { field, rule }) => (field, rule),
        other => panic!("expected an invalid field, got {other:?}"),
    }
}

#[test]
fn a_submission_without_a_reference_is_a_submission() {
    let env = command_request(request(None, submit())).unwrap();
    assert_eq!(env.idempotency_key, "k-1");
    assert_eq!(env.expected_version, Some(3));
    assert_eq!(
        (env.actor.as_str(), env.unit.as_str()),
        ("Nguyễn Văn An", "Bộ phận một cửa")
    );
    match env.action {
        Action::Submit(new) => assert_eq!(new.agency_code, "000.00.01.H22"),
        other => panic!("expected a submission, got {other:?}"),
    }
    // A reference message with neither id nor MaHoSo set names nothing.
    let empty = Some(pb::DossierRef { r#ref: None });
    assert_eq!(
        command_request(request(empty, submit())).unwrap().name(),
        CommandName::Submit
    );
}

#[test]
fn a_submission_naming_a_dossier_is_refused() {
    assert_eq!(
        refused(request(by_id(7), submit())),
        (
            "dossier".into(),
            "must be empty for submit: the hub assigns the dossier".into()
        )
    );
}

#[test]
fn every_other_command_needs_its_dossier() {
    for command in commands_on_a_dossier() {
        let env = command_request(request(by_id(7), command.clone())).unwrap();
        assert_eq!(
            env.action.dossier(),
            Some(&DossierRef::Id(7)),
            "{command:?}"
        );
        assert_ne!(env.name(), CommandName::Submit);
        assert_eq!(
            refused(request(None, command.clone())),
            ("dossier".into(), "is required (id or ma_ho_so)".into()),
            "{command:?}"
        );
    }
}

#[test]
fn a_command_keeps_its_fields_and_its_reference() {
    let by_code = Some(pb::DossierRef {
        r#ref: Some(pb::dossier_ref::Ref::MaHoSo(
            "000.00.01.H22-251122-00017".into(),
        )),
    });
    let env = command_request(request(
        by_code,
        C::Refuse(pb::RefuseDossier {
            reason: "hồ sơ sai thẩm quyền".into(),
        }),
    ))
    .unwrap();
    assert_eq!(
        env.action,
        Action::OnDossier {
            dossier: DossierRef::MaHoSo("000.00.01.H22-251122-00017".into()),
            command: Command::Refuse {
                reason: "hồ sơ sai thẩm quyền".into()
            },
        }
    );
}

#[test]
fn a_malformed_field_is_named_before_a_missing_reference() {
    let bad_time = C::Receive(pb::ReceiveDossier {
        due_at: Some(prost_types::Timestamp {
            seconds: 0,
            nanos: -1,
        }),
    });
    assert_eq!(refused(request(None, bad_time)).0, "receive.due_at");
    let bad_channel = C::Submit(pb::SubmitDossier {
        channel: 99,
        ..Default::default()
    });
    assert_eq!(refused(request(by_id(7), bad_channel)).0, "submit.channel");
}

#[test]
fn a_missing_command_or_an_empty_ma_ho_so_is_named() {
    let mut none = request(by_id(7), submit());
    none.command = None;
    assert_eq!(refused(none).0, "command");
    let empty_code = Some(pb::DossierRef {
        r#ref: Some(pb::dossier_ref::Ref::MaHoSo(String::new())),
    });
    assert_eq!(
        refused(request(empty_code, C::Receive(Default::default()))).0,
        "dossier.ma_ho_so"
    );
}

#[test]
fn a_required_reference_is_required() {
    assert_eq!(
        required_dossier_ref("dossier", &None),
        Err(DomainError::invalid(
            "dossier",
            "is required (id or ma_ho_so)"
        ))
    );
    assert_eq!(
        required_dossier_ref("dossier", &by_id(9)),
        Ok(DossierRef::Id(9))
    );
}

#[test]
fn a_result_address_travels_both_ways() {
    use prost::Message;
    let asked = request(
        None,
        C::Submit(pb::SubmitDossier {
            agency_code: "000.00.01.H22".into(),
            result_delivery: pb::ResultDelivery::ByPost as i32,
            result_address: "Số 12 phố Lê Thánh Tông, TP Hạ Long".into(),
            ..Default::default()
        }),
    );
    // Through the bytes a partner sends.
    let decoded = pb::CommandRequest::decode(asked.encode_to_vec().as_slice()).unwrap();
    let env = command_request(decoded).unwrap();
    let Action::Submit(new) = env.action else {
        panic!("a submission")
    };
    assert_eq!(new.result_address, "Số 12 phố Lê Thánh Tông, TP Hạ Long");
    let who = crate::domain::machine::Actor {
        partner_id: "national-portal",
        actor: "",
        unit: "",
        now: crate::domain::UnixMillis(1),
    };
    let dossier = crate::domain::machine::create(&new, 1, "X".into(), &who).dossier;
    let sent = crate::wire::to_proto::dossier(dossier.clone());
    let read = pb::Dossier::decode(sent.encode_to_vec().as_slice()).unwrap();
    assert_eq!(read.result_address, "Số 12 phố Lê Thánh Tông, TP Hạ Long");
    // Without one, nothing on the wire either.
    let mut without = dossier;
    without.result_address.clear();
    assert_eq!(crate::wire::to_proto::dossier(without).result_address, "");
}
